"""Pinned tool versions, read from mise.toml (the one place they are written)."""

from __future__ import annotations

import tomllib

from ddb_warmer.build.toolenv import ROOT


def pinned_versions() -> dict[str, str]:
    """Tool name -> version, plus "aws_provider" for hashicorp/aws and "aws-lambda-rie"."""
    with open(ROOT / "mise.toml", "rb") as handle:
        data = tomllib.load(handle)
    versions = {name: str(version) for name, version in data["tools"].items()}
    versions["aws_provider"] = data["env"]["DDB_WARMER_AWS_PROVIDER"]
    versions["aws-lambda-rie"] = data["env"]["DDB_WARMER_LAMBDA_RIE"]
    return versions
