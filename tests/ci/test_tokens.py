"""No GitHub token reaches Terraform or Terragrunt: the plan and apply scripts run with tokens set, and a fake
`terraform` first on PATH records the environment Terragrunt gives it (Terragrunt's own, plus what it adds)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ddb_warmer.build.terragrunt import LIVE
from ddb_warmer.build.toolenv import ROOT, is_stripped, tool_env
from ddb_warmer.ci.plan import PLAN_FILE

TOKENS = {
    "GITHUB_TOKEN": "ghs_repository-token",
    "MISE_GITHUB_TOKEN": "ghs_mise-token",
    "GH_TOKEN": "ghp_cli-token",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-token",
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/",
    "ACTIONS_RUNTIME_TOKEN": "runtime-token",
    "NPM_TOKEN": "npm-token",
}
FAKE_TERRAFORM = """#!/bin/sh
# Records the environment it was started with; answers `version` like Terraform.
env -0 > "$DUMP_DIR/$$.env"
case "$1" in
  version|-version|--version) echo "Terraform v1.11.4"; echo "on linux_amd64" ;;
esac
exit 0
"""


def first_environment() -> str:
    return sorted(p.name for p in LIVE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))[0]


@pytest.fixture
def recorded(tmp_path):
    bin_dir, dumps = tmp_path / "bin", tmp_path / "dumps"
    bin_dir.mkdir()
    dumps.mkdir()
    fake = bin_dir / "terraform"
    fake.write_text(FAKE_TERRAFORM)
    fake.chmod(0o755)
    env = {
        **os.environ,
        **TOKENS,
        "AWS_SESSION_TOKEN": "aws-session",
        "DUMP_DIR": str(dumps),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "TG_TF_PATH": str(fake),
    }

    def environments() -> list[dict[str, str]]:
        found = []
        for dump in dumps.glob("*.env"):
            pairs = [item.split("=", 1) for item in dump.read_text().split("\0") if "=" in item]
            found.append(dict(pairs))
        return found

    return env, environments


def run_script(module: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def assert_no_token(environments: list[dict[str, str]]) -> None:
    assert environments, "terraform was never started"
    for env in environments:
        leaked = sorted(name for name in env if name in TOKENS or name.startswith("ACTIONS_"))
        assert leaked == []
        assert not any(value in env.values() for value in TOKENS.values())
        # The AWS credentials the role's session is made of are Terraform's to use.
        assert env.get("AWS_SESSION_TOKEN") == "aws-session"


def test_the_plan_script_starts_terraform_without_any_github_or_actions_token(recorded, tmp_path):
    env, environments = recorded

    run_script("ddb_warmer.ci.plan", ["--environment", first_environment(), "--out-dir", str(tmp_path / "p")], env)

    assert_no_token(environments())


def test_the_apply_script_starts_terraform_without_any_github_or_actions_token(recorded, tmp_path):
    env, environments = recorded
    environment = first_environment()
    plans = tmp_path / "plans"
    for unit in (LIVE / environment).rglob("terragrunt.hcl"):
        saved = plans / unit.parent.relative_to(LIVE / environment) / PLAN_FILE
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text("a saved plan")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    done = run_script(
        "ddb_warmer.ci.apply", ["--environment", environment, "--plans", str(plans), "--main-head", head], env
    )

    assert "refused" not in done.stdout + done.stderr  # it went on to apply
    assert_no_token(environments())


@pytest.mark.parametrize("name", [*TOKENS, "SOME_SERVICE_TOKEN"])
def test_tool_env_strips_every_token_a_tool_does_not_need(name):
    assert is_stripped(name)
    assert name not in tool_env({name: "x", "PATH": "/usr/bin"})


def test_tool_env_keeps_the_aws_session_token_and_ordinary_variables():
    env = tool_env({"AWS_SESSION_TOKEN": "s", "AWS_REGION": "eu-west-1", "PATH": "/usr/bin"})

    assert env["AWS_SESSION_TOKEN"] == "s" and env["AWS_REGION"] == "eu-west-1"
