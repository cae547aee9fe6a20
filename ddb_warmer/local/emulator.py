"""The local AWS: a moto server on 127.0.0.1, for the demo and the slow tests.

Everything reaches it through the standard AWS_ENDPOINT_URL variable and
dummy credentials, so Terraform, Terragrunt, boto3 and the handler take the
same code path as against real AWS.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ddb_warmer.build.toolenv import ROOT, WORK, tool_env

HOST = "127.0.0.1"  # loopback only, always
ACCOUNT_ID = "123456789012"  # moto's default account
STARTUP_SECONDS = 30


@dataclass(frozen=True)
class Emulator:
    endpoint: str
    region: str
    log_path: Path

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for every tool that should talk to this emulator."""
        env = tool_env(base)
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            # The state bucket on the emulator, reached with path-style URLs
            # (virtual-host style needs DNS names under the endpoint).
            DDB_WARMER_STATE_BUCKET=state_bucket(self.region),
            DDB_WARMER_STATE_PATH_STYLE="true",
        )
        for unset in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            env.pop(unset, None)
        return env

    @contextlib.contextmanager
    def activated(self) -> Iterator[None]:
        """This process's own boto3 clients (and the in-process handler) use the emulator."""
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env(saved))
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


def state_bucket(region: str) -> str:
    return f"ddb-warmer-tfstate-{ACCOUNT_ID}-{region}"


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
