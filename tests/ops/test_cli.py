"""The `ddb-warmer` command's interface: its exit codes, where it writes, and what it says when it cannot check.

Exit codes (ddb_warmer/ops/cli.py, `--help`, README): 0 nothing BLOCKED, 1 something
BLOCKED, 2 usage error, 3 could not check. The BLOCKED and OK paths run doctor on
moto (tests/doctor); the could-not-check paths run the real command in a
subprocess with no region, no credentials, or an endpoint that refuses.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from ddb_warmer.build.live import environments
from ddb_warmer.ops import cli
from ddb_warmer.ops.deployment import environment_regions

pytestmark = pytest.mark.usefixtures("aws_credentials")


def ddb_warmer(*argv: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it."""
    script = os.path.join(os.path.dirname(sys.executable), "ddb-warmer")
    return subprocess.run([script, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def bare_env(tmp_path, **extra: str) -> dict[str, str]:
    """No AWS settings at all: no region, no credentials, no config files to fall back on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        **extra,
    )
    return env


def test_version_answers_with_the_installed_version():
    done = ddb_warmer("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"ddb-warmer {cli.version()}"
    assert cli.version()[0].isdigit()


@pytest.mark.parametrize("command", ["doctor", "estimate"])
def test_each_subcommand_help_has_a_description_examples_and_the_exit_codes(command):
    done = ddb_warmer(command, "--help")
    assert done.returncode == 0
    assert "examples:" in done.stdout and f"ddb-warmer {command} --environment prod" in done.stdout
    assert "exit codes:" in done.stdout and "3  could not check" in done.stdout


def test_no_region_and_no_credentials_exit_3_with_one_line_on_stderr_and_no_traceback(tmp_path):
    done = ddb_warmer("doctor", "--table", "orders", env=bare_env(tmp_path), cwd=tmp_path)
    assert done.returncode == cli.COULD_NOT_CHECK
    assert done.stdout == ""
    assert done.stderr == "ddb-warmer doctor: no AWS region: pass --region or set AWS_REGION\n"


def test_no_credentials_exit_3_and_say_how_to_sign_in(tmp_path):
    done = ddb_warmer("doctor", "--table", "orders", "--region", "eu-west-1", env=bare_env(tmp_path), cwd=tmp_path)
    assert done.returncode == cli.COULD_NOT_CHECK
    assert done.stderr.startswith("ddb-warmer doctor: no AWS credentials: set AWS_PROFILE")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_debug_shows_the_traceback_instead(tmp_path):
    done = ddb_warmer("doctor", "--table", "orders", "--debug", env=bare_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "NoRegionError" in done.stderr


def test_an_environment_gives_its_region_and_names_it_when_a_call_fails(tmp_path):
    # No region given: the environment's region.hcl decides (with several, --region names one); the
    # unreachable endpoint then fails the check.
    first = environments()[0]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = bare_env(
        tmp_path,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        AWS_MAX_ATTEMPTS="1",
    )
    region = [] if len(first.regions) == 1 else ["--region", first.regions[-1]]
    done = ddb_warmer("doctor", "--environment", first.name, *region, env=env)
    assert done.returncode == cli.COULD_NOT_CHECK
    assert done.stderr.startswith(f"ddb-warmer doctor: cannot reach AWS at http://127.0.0.1:{port}")
    assert sorted(environment_regions(first.name)) == sorted(first.regions)


def test_an_unknown_environment_exits_3_naming_the_known_ones():
    done = ddb_warmer("doctor", "--environment", "no-such-environment")
    assert done.returncode == cli.COULD_NOT_CHECK
    assert "no environment 'no-such-environment'" in done.stderr
    assert all(e.name in done.stderr for e in environments())


def test_a_usage_error_exits_2_on_stderr():
    done = ddb_warmer("doctor", "--minutes", "many")
    assert done.returncode == cli.USAGE
    assert done.stdout == "" and "invalid int value" in done.stderr
    nothing_named = ddb_warmer("estimate")
    assert nothing_named.returncode == cli.USAGE
    assert "name the warmer" in nothing_named.stderr


def test_access_denied_exits_3_and_names_the_call(monkeypatch, capsys):
    def denied(args, clients):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeTable")

    monkeypatch.setattr(cli, "doctor", denied)
    code = cli.main(["doctor", "--table", "orders", "--region", "eu-west-1"])
    assert code == cli.COULD_NOT_CHECK
    err = capsys.readouterr().err
    assert err.startswith("ddb-warmer doctor: access denied to DescribeTable")


def test_a_missing_function_exits_3_and_says_to_deploy_or_name_tables(capsys):
    with mock_aws():
        code = cli.main(["doctor", "--function", "ddb-warmer-nowhere-warmer", "--region", "eu-west-1"])
    assert code == cli.COULD_NOT_CHECK
    assert "no function ddb-warmer-nowhere-warmer in eu-west-1: deploy the environment first" in capsys.readouterr().err
