"""Shared fixtures: moto in-process for the handler, a moto server for Terraform and Terragrunt."""

from __future__ import annotations

import shutil

import pytest

from ddb_warmer.toolenv import TERRAFORMRC, TOOLS_BIN, tool_env


@pytest.fixture
def aws_credentials(monkeypatch):
    """Dummy credentials and a region, and no endpoint: moto's in-process mock answers."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")


@pytest.fixture(scope="session")
def tools_env():
    """The environment with the bootstrapped tools; the bootstrap must have run (make test does)."""
    missing = [name for name in ("terragrunt", "actionlint") if not (TOOLS_BIN / name).exists()]
    if missing or not TERRAFORMRC.exists() or shutil.which("terraform") is None:
        pytest.fail(
            f"tools missing ({', '.join(missing) or 'terraform CLI config'}): "
            "run `make bootstrap` (make test does it first)"
        )
    return tool_env()
