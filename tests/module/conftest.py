"""The module's examples need their own existing tables on the emulator; every test file works on its
own copy of modules/, so no two files (on two workers) share a `.terraform`, a state or a lock."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.seed import IndexSpec, TableSpec, seed_table
from tests.checkout_copy import without_checksums

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
    """`terraform <args>` in `cwd`; after an init, the lock file it wrote keeps no checksum, so the later
    commands there do not hash the provider again (tests/checkout_copy.py)."""
    done = subprocess.run(["terraform", *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode in ok_codes, f"terraform {' '.join(args)} in {cwd}: {done.stdout[-3000:]}{done.stderr}"
    if args[0] == "init":
        without_checksums(cwd)
    return done


def tftest_outputs(module: Path, runs: dict[str, str], env) -> dict[str, str]:
    """Each run's output from one `terraform test` of `runs` ({name: the run's body}), each after the shared
    header (mocked provider, variables) of `module`'s first test file, in a copy of `module` beside it (so its
    own test files stay for the tests that run them). No run expects a failure, so each prints what it
    says; a file per run, since a failed run skips the rest of its file, not other files."""
    copy = module.with_name(f"{module.name}-runs")
    shutil.copytree(module, copy, ignore=shutil.ignore_patterns(".terraform", "*.tftest.hcl"))
    terraform(["init", "-backend=false", "-input=false"], copy, env)
    shared = sorted((module / "tests").glob("*.tftest.hcl"))[0].read_text().split('\nrun "', 1)[0]
    for name, body in runs.items():
        (copy / "tests" / f"{name}.tftest.hcl").write_text(f'{shared}\nrun "{name}" {{\n  command = plan\n{body}}}\n')
    done = subprocess.run(
        ["terraform", "test", "-no-color"], cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = done.stdout.decode()
    sections = re.split(r'^\s*run "([a-z_]+)"\.\.\. ', output, flags=re.MULTILINE)
    by_run = {sections[i]: sections[i + 1] for i in range(1, len(sections) - 1, 2)}
    assert set(by_run) == set(runs), output[-3000:]
    return by_run


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


@pytest.fixture(scope="module")
def examples_emulator(tools_env):
    """An emulator of the examples' own, holding their existing tables: what the complete example applies
    goes with it when it stops, so nothing needs destroying (the destroy of each kind of environment is
    tests/live's)."""
    with running_emulator(name="moto-examples") as emulator:
        session = emulator.session(region=emulator.region)
        dynamodb, autoscaling = session.client("dynamodb"), session.client("application-autoscaling")
        for spec in EXAMPLE_TABLES:
            seed_table(dynamodb, autoscaling, spec)
        dynamodb.update_time_to_live(
            TableName="example-events", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
        yield emulator
