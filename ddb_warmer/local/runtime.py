"""A local Lambda runtime: the deployed package under the Runtime Interface Emulator, on Python 3.13.

The same parts as the python3.13 managed runtime: AWS's Runtime Interface
Emulator (aws-lambda-rie, built by the bootstrap) serves the Runtime API, and
`awslambdaric` (in .tools/lambda-venv, with the runtime's boto3) resolves the
deployed handler string, builds the context and turns an exception into
Lambda's error shape. The function gets the deployed environment, memory size,
timeout and log settings, and reaches the local AWS through AWS_ENDPOINT_URL
with dummy credentials.

What the emulator does not do, and how it is made up for here:
- its REPORT line's "Max Memory Used" is always the memory size (it measures
  nothing), so each invocation's peak RSS is read from the runtime process
  (/proc/<pid>/status VmHWM, reset between invocations) and printed in a
  REPORT line that says where the figure comes from;
- it answers an error with HTTP 200 and no X-Amz-Function-Error header, so an
  error is told from a result by its body (errorType), and a timeout by its
  plain-text "Task timed out" body;
- it crashes on concurrent invocations, so they are sent one at a time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ddb_warmer.build.toolenv import LAMBDA_RIE, LAMBDA_VENV
from ddb_warmer.local.emulator import HOST, free_port, wait_until

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
STARTUP_SECONDS = 10
REPORT_WAIT_SECONDS = 5


@dataclass(frozen=True)
class Invocation:
    request_id: str
    payload: object  # the handler's result, or Lambda's error object
    error_type: str | None  # None: the handler returned
    error_message: str | None
    report: str  # the emulator's own REPORT line
    duration_ms: float | None
    max_memory_mb: int | None  # measured peak RSS of the runtime process

    @property
    def ok(self) -> bool:
        return self.error_type is None

    @property
    def answer(self) -> dict:
        """The payload when it is a JSON object (the handler's summary or Lambda's error object), else {}."""
        return self.payload if isinstance(self.payload, dict) else {}

    def report_line(self, memory_size: int) -> str:
        """A REPORT line as Lambda prints it, with the measured Max Memory Used and where it comes from."""
        duration = f"{self.duration_ms:.2f} ms" if self.duration_ms is not None else "?"
        used = f"{self.max_memory_mb} MB" if self.max_memory_mb is not None else "not measured (process ended)"
        return (
            f"REPORT RequestId: {self.request_id}\tDuration: {duration}\tMemory Size: {memory_size} MB\t"
            f"Max Memory Used: {used} (peak RSS of the runtime process, /proc VmHWM; the emulator reports only "
            "the memory size)"
        )


def runtime_environment(configuration: dict, task_root: Path, aws_env: dict[str, str]) -> dict[str, str]:
    """The function's environment as the python3.13 runtime sets it, pointed at the local AWS."""
    logging_config = configuration.get("LoggingConfig", {})
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task_root),
        "PYTHONPATH": str(task_root),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": configuration["FunctionName"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration["MemorySize"]),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(configuration["Timeout"]),
        "AWS_LAMBDA_FUNCTION_VERSION": configuration.get("Version", "$LATEST"),
        "AWS_LAMBDA_LOG_GROUP_NAME": logging_config.get("LogGroup", f"/aws/lambda/{configuration['FunctionName']}"),
        "AWS_LAMBDA_LOG_FORMAT": logging_config.get("LogFormat", "Text").upper(),
        # Lambda sets the application log level only with the JSON format.
        **(
            {"AWS_LAMBDA_LOG_LEVEL": logging_config.get("ApplicationLogLevel", "INFO")}
            if logging_config.get("LogFormat", "Text").upper() == "JSON"
            else {}
        ),
    }
    passed = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")
    env.update({key: aws_env[key] for key in passed if key in aws_env})
    # Lambda sets AWS_REGION to the function's Region and gives the function its role's credentials,
    # in the function's account (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
    # #configuration-envvars-runtime): here the Region of its ARN, and the caller's credentials, which
    # are for that account (Emulator.env(account=...)).
    arn = configuration.get("FunctionArn", "").split(":")
    if len(arn) >= 7:
        env.update(AWS_REGION=arn[3], AWS_DEFAULT_REGION=arn[3])
    env.update(
        AWS_ACCESS_KEY_ID=aws_env.get("AWS_ACCESS_KEY_ID", "test"),
        AWS_SECRET_ACCESS_KEY=aws_env.get("AWS_SECRET_ACCESS_KEY", "test"),
        AWS_SESSION_TOKEN=aws_env.get("AWS_SESSION_TOKEN", "test"),
    )
    env.update(configuration.get("Environment", {}).get("Variables", {}))
    return env


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _peak_rss_kb(pid: int) -> int | None:
    try:
        status = (Path("/proc") / str(pid) / "status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match[1]) if match else None


def _reset_peak_rss(pid: int) -> None:
    # Writing 5 to clear_refs resets VmHWM, so the next reading is this invocation's peak.
    with contextlib.suppress(OSError):
        (Path("/proc") / str(pid) / "clear_refs").write_text("5")


class LocalLambda:
    """One function container: started with `running()`, invoked one request at a time."""

    def __init__(self, process: subprocess.Popen, endpoint: str, log_path: Path, configuration: dict):
        self.process = process
        self.endpoint = endpoint
        self.log_path = log_path
        self.configuration = configuration

    @property
    def memory_size(self) -> int:
        return int(self.configuration["MemorySize"])

    def _runtime_pid(self) -> int | None:
        children = _children(self.process.pid)
        return children[0] if children else None

    def invoke(self, event: object) -> Invocation:
        request_id = str(uuid.uuid4())
        runtime = self._runtime_pid()
        if runtime:
            _reset_peak_rss(runtime)
        request = urllib.request.Request(
            self.endpoint + INVOKE_PATH,
            data=json.dumps(event).encode(),
            headers={"Content-Type": "application/json", "X-Amzn-RequestId": request_id},
            method="POST",
        )
        timeout = int(self.configuration["Timeout"]) + 30
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read().decode()
        except urllib.error.HTTPError as error:  # an init failure (handler not found): 502 with Lambda's error
            body = error.read().decode()
        runtime = self._runtime_pid()
        peak_kb = _peak_rss_kb(runtime) if runtime else None
        report = self._report_line(request_id)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = body
        error_type = error_message = None
        if isinstance(payload, dict) and "errorType" in payload:
            error_type, error_message = payload["errorType"], payload.get("errorMessage")
        elif isinstance(payload, str) and payload.startswith("Task timed out"):
            # The managed runtime's name for it; the emulator sends only the text.
            error_type, error_message = "Sandbox.Timedout", payload
        duration = re.search(r"\tDuration: ([\d.]+) ms", report)
        return Invocation(
            request_id,
            payload,
            error_type,
            error_message,
            report,
            float(duration[1]) if duration else None,
            round(peak_kb / 1024) if peak_kb else None,
        )

    def _report_line(self, request_id: str) -> str:
        deadline = time.monotonic() + REPORT_WAIT_SECONDS
        marker = f"REPORT RequestId: {request_id}"
        while time.monotonic() < deadline:
            for line in self.log_path.read_text(errors="replace").splitlines():
                if line.startswith(marker):
                    return line.rstrip()
            time.sleep(0.05)
        return ""


def extract(package: bytes, task_root: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        archive.extractall(task_root)
    return task_root


@contextlib.contextmanager
def running(package: bytes, configuration: dict, aws_env: dict[str, str], work: Path) -> Iterator[LocalLambda]:
    """Start the deployed package under the emulator; stop it and its runtime however the block ends."""
    if not LAMBDA_RIE.exists() or not (LAMBDA_VENV / "bin" / "python").exists():
        raise RuntimeError("the local Lambda runtime is missing: run `make bootstrap`")
    name = configuration["FunctionName"]
    work.mkdir(parents=True, exist_ok=True)
    task_root = extract(package, work / f"lambda-{name}" / "task")
    log_path = work / f"lambda-{name}.log"
    port, api_port = free_port(), free_port()
    # Loopback only: without the address flag the emulator listens on 0.0.0.0:8080,
    # and its Runtime API port is fixed unless given.
    command = [
        str(LAMBDA_RIE),
        "--runtime-interface-emulator-address",
        f"{HOST}:{port}",
        "--runtime-api-address",
        f"{HOST}:{api_port}",
        str(LAMBDA_VENV / "bin" / "python"),
        "-m",
        "awslambdaric",
        configuration["Handler"],
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            cwd=task_root,
            env=runtime_environment(configuration, task_root, aws_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the runtime is stopped with it
        )
    try:
        wait_until(lambda: _listens(port), process, f"aws-lambda-rie on {HOST}:{port}", log_path, STARTUP_SECONDS, 0.02)
        yield LocalLambda(process, f"http://{HOST}:{port}", log_path, configuration)
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)  # the runtime, should the emulator have left it
        if process.returncode is None:
            process.wait()


def _listens(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0
