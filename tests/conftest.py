"""Shared fixtures: moto in-process for the handler, a moto server for Terraform and Terragrunt."""

from __future__ import annotations

import shutil

import boto3
import pytest

from ddb_warmer.build.toolenv import TERRAFORMRC, TOOLS_BIN, tool_env
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.seed import ENVIRONMENTS, seed_environment


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


@pytest.fixture(scope="session")
def emulator(tools_env):
    """One moto server for every slow test, seeded with live/'s existing tables like a real account."""
    with running_emulator(name="moto-tests") as emulator, emulator.activated():
        session = boto3.Session(region_name=emulator.region)
        for environment in ENVIRONMENTS:
            seed_environment(environment, emulator.region, session)
        yield emulator


@pytest.fixture(scope="session")
def emulator_env(emulator):
    return emulator.env()
