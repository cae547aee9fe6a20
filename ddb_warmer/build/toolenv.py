"""Where the bootstrap puts things, and the environment that uses them.

Every command the tooling runs (Terraform, Terragrunt, the tests) gets its
environment from `tool_env()`, so a shell needs no `source` step first.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
TOOLS_BIN = TOOLS / "bin"
TERRAFORMRC = TOOLS / "terraformrc"
VENV = ROOT / ".venv"
# checkov pins an old boto3: its own venv keeps it out of the project's.
CHECKOV_VENV = TOOLS / "checkov-venv"
# The local Lambda runtime: awslambdaric and the runtime's SDK on Python 3.13,
# and the Runtime Interface Emulator that drives it.
LAMBDA_VENV = TOOLS / "lambda-venv"
LAMBDA_RIE = TOOLS_BIN / "aws-lambda-rie"
IAM_EVALUATOR = ROOT / "tests" / "iam" / "evaluator"
WORK = ROOT / ".work"  # logs and scratch of local runs (git-ignored)
DIST = ROOT / "dist"
MIRROR_ENV = "DDB_WARMER_PROVIDER_MIRROR"


# Credentials Terraform, its providers and npm scripts never need: a GitHub token
# (mise-action exports MISE_GITHUB_TOKEN, Actions sets GITHUB_TOKEN only when a
# step asks, ACTIONS_* are the runner's own), and any other *_TOKEN. Kept: the
# AWS session token the role's credentials are made of.
TOKENS_KEPT = frozenset({"AWS_SESSION_TOKEN"})


def is_stripped(name: str) -> bool:
    upper = name.upper()
    if upper in TOKENS_KEPT:
        return False
    return upper.startswith("ACTIONS_") or upper.endswith("_TOKEN")


def tool_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: os.environ) with the bootstrapped tools first on PATH, and no token a tool does not need."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not is_stripped(k)}
    env["PATH"] = os.pathsep.join([str(TOOLS_BIN), str(VENV / "bin"), env.get("PATH", "")])
    # The bootstrap's CLI config (the provider mirror and plugin cache) where it ran; a CI job that runs
    # no bootstrap uses Terraform's own defaults.
    if TERRAFORMRC.exists():
        env["TF_CLI_CONFIG_FILE"] = str(TERRAFORMRC)
    env.setdefault("TF_IN_AUTOMATION", "1")
    # Terragrunt never prompts in tooling or CI runs.
    env.setdefault("TG_NON_INTERACTIVE", "true")
    # Logs are read by people in CI and kept in files: no colour codes.
    env.setdefault("TG_NO_COLOR", "true")
    return env
