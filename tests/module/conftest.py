"""The module's examples need their own existing tables on the emulator; every test file works on its
own copy of modules/, so no two files (on two workers) share a `.terraform`, a state or a lock."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.local.seed import IndexSpec, TableSpec, seed_table

EXAMPLE_TABLES = (
    TableSpec("example-orders", ("pk", "S"), ("sk", "S")),
    TableSpec("example-events", ("id", "S"), indexes=(IndexSpec("by_user", ("user", "S")),)),
)


@pytest.fixture(scope="module")
def modules_copy(tmp_path_factory):
    """A copy of modules/ (the warmer module calls its sibling modules/warmer-access by relative path),
    without the checkout's Terraform working files."""
    copy = tmp_path_factory.mktemp("modules") / "modules"
    shutil.copytree(ROOT / "modules", copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "tfplan*"))
    return copy


@pytest.fixture(scope="module")
def module_copy(request, modules_copy, tools_env):
    """The module a test file is about (its MODULE), in the file's copy of modules/, initialised once (providers
    from the mirror)."""
    module = modules_copy / request.module.MODULE.name
    terraform(["init", "-backend=false", "-input=false"], module, tools_env)
    return module


def terraform(args: list[str], cwd, env, ok_codes=(0,)) -> subprocess.CompletedProcess:
    done = subprocess.run(["terraform", *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode in ok_codes, f"terraform {' '.join(args)} in {cwd}: {done.stdout[-3000:]}{done.stderr}"
    return done


def warmer_root(module: Path, region: str, **inputs: str) -> str:
    """A root module (main.tf) in `region` that calls the warmer `module` with its test package
    (tests/fixture-package.zip) and these inputs, each an HCL expression."""
    lines = "".join(f"  {name} = {value}\n" for name, value in inputs.items())
    return f"""
provider "aws" {{
  region = "{region}"
}}

module "warmer" {{
  source       = "{module.parent}//{module.name}"
  package_path = "{module}/tests/fixture-package.zip"
{lines}}}
"""


@pytest.fixture(scope="session")
def example_tables(emulator):
    session = boto3.Session(region_name=emulator.region)
    dynamodb, autoscaling = session.client("dynamodb"), session.client("application-autoscaling")
    for spec in EXAMPLE_TABLES:
        seed_table(dynamodb, autoscaling, spec)
    dynamodb.update_time_to_live(
        TableName="example-events", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    return [spec.name for spec in EXAMPLE_TABLES]
