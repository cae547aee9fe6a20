"""The local AWS: a moto server on 127.0.0.1, for the demo and the slow tests.

Everything reaches it through the standard AWS_ENDPOINT_URL variable and
dummy credentials, so Terraform, Terragrunt, boto3 and the handler take the
same code path as against real AWS.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from ddb_warmer.build.toolenv import ROOT, WORK, tool_env

HOST = "127.0.0.1"  # loopback only, always
ACCOUNT_ID = "123456789012"  # moto's default account
# The role an admin (or a CI job) holds in each other account: moto answers AssumeRole into any
# account with credentials of that account, as STS does for a role that trusts the caller.
ADMIN_ROLE = "ddb-warmer-local-admin"
STARTUP_SECONDS = 30


@dataclass
class Emulator:
    endpoint: str
    region: str
    log_path: Path
    # What ddb_warmer.local.seed put in it: {environment: what each unit finds}.
    seeded: dict = field(default_factory=dict)
    admin_roles: set[str] = field(default_factory=set)  # accounts whose admin role exists

    def env(self, base: dict[str, str] | None = None, account: str | None = None) -> dict[str, str]:
        """Environment for every tool that should talk to this emulator: with `account`, credentials of
        an admin role assumed in that account (as on AWS); without, moto's default account's."""
        env = tool_env(base)
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            # The state buckets on the emulator are reached with path-style URLs
            # (virtual-host style needs DNS names under the endpoint).
            DDB_WARMER_STATE_PATH_STYLE="true",
            DDB_WARMER_STATE_PLAIN_HTTP="true",  # no TLS-only rule on a bucket Terragrunt creates here
        )
        for unset in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            env.pop(unset, None)
        if account:
            credentials = assumed_credentials(self.endpoint, f"arn:aws:iam::{account}:role/{ADMIN_ROLE}")
            if account not in self.admin_roles:
                create_admin_role(self.endpoint, credentials)
                self.admin_roles.add(account)
            env.update(credentials)
        return env

    def session(self, account: str | None = None, region: str | None = None) -> boto3.Session:
        """A boto3 session on this emulator with credentials of `account`."""
        env = self.env({}, account)
        return EmulatorSession(
            self.endpoint,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=env.get("AWS_SESSION_TOKEN"),
            region_name=region or self.region,
        )

    @contextlib.contextmanager
    def activated(self, account: str | None = None) -> Iterator[None]:
        """This process's own boto3 clients (and the in-process handler) use the emulator, as `account`."""
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env(saved, account))
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


class EmulatorSession(boto3.Session):
    """A boto3 session whose clients reach the emulator whatever AWS_ENDPOINT_URL says."""

    def __init__(self, endpoint: str, **kwargs):
        super().__init__(**kwargs)
        self.endpoint = endpoint

    def client(self, *args, **kwargs):
        kwargs.setdefault("endpoint_url", self.endpoint)
        return super().client(*args, **kwargs)


def assumed_credentials(endpoint: str, role_arn: str, session_name: str = "ddb-warmer") -> dict[str, str]:
    """AssumeRole on the emulator, as configure-aws-credentials does on AWS: the role's account's
    credentials, as the standard environment variables."""
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def create_admin_role(endpoint: str, credentials: dict[str, str]) -> None:
    """The admin role, in the account the credentials are for, as a real account has one (Terraform's
    aws_iam_session_context reads the role behind an assumed-role session)."""
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
    )
    trust = {"Version": "2012-10-17", "Statement": []}
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName=ADMIN_ROLE, AssumeRolePolicyDocument=json.dumps(trust))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until(
    ready: Callable[[], bool], process: subprocess.Popen, what: str, log_path: Path, seconds: float, poll: float
) -> None:
    """Return once `ready()` holds; fail as soon as the process exits, or after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}; see {log_path}")
        if ready():
            return
        time.sleep(poll)
    raise RuntimeError(f"{what} was not ready within {seconds}s; see {log_path}")


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def running_emulator(region: str = "eu-west-1", name: str = "moto") -> Iterator[Emulator]:
    """Start a moto server on a free loopback port; stop it however the block ends."""
    WORK.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = WORK / f"{name}-{port}.log"
    endpoint = f"http://{HOST}:{port}"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ddb_warmer.local.emulator_server", "-H", HOST, "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "MOTO_PORT": str(port), "DDB_WARMER_EMULATOR_HOST": HOST},
        )
    try:
        wait_until(lambda: _answers(endpoint), process, f"moto server on {endpoint}", log_path, STARTUP_SECONDS, 0.2)
        yield Emulator(endpoint=endpoint, region=region, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
