"""Runs a workflow of .github/workflows on this machine: its jobs' steps in order, as a runner would.

What a GitHub runner does, and only that, is done here: each job gets a fresh
checkout of a local git repository standing in for GitHub's; `run:` steps run in
bash with the env the workflow, job and step set plus the runner's own
(GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_SHA, …); `${{ }}` expressions,
`if:`, job `needs`, outputs and matrices are evaluated. The few actions the
workflows use are done locally: checkout clones, mise-action is the machine's
pinned tools, configure-aws-credentials assumes the role on the emulator (moto
answers in the role's account, as STS does) for the job's later steps and records
it, upload- and download-artifact copy a folder with upload's rule
for hidden files. GitHub's API is the fake on loopback.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ddb_warmer.build.bootstrap import env_is_current, project_venv_pins
from ddb_warmer.build.toolenv import ROOT, VENV
from ddb_warmer.local.emulator import assumed_credentials

WORKFLOWS = ROOT / ".github" / "workflows"
FUNCTIONS = ("fromJSON", "format", "hashFiles", "always", "success", "failure", "cancelled", "join", "contains")
STATUS_FUNCTIONS = re.compile(r"\b(always|success|failure|cancelled)\(")


@dataclass
class JobRun:
    name: str
    result: str  # success | failure | skipped | cancelled
    outputs: dict = field(default_factory=dict)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step name, outcome)
    roles: list[str] = field(default_factory=list)  # role-to-assume of configure-aws-credentials
    environment: str | None = None  # the GitHub Environment the job deployed to
    summary: str = ""
    log: str = ""
    stood_in: bool = False  # its `if` said run, and its result was given (see Runner.run's stand_in)


class Expression:
    """A `${{ }}` expression, evaluated on the contexts GitHub gives it."""

    def __init__(self, contexts: dict, workspace: Path | None, status: dict):
        self.contexts, self.workspace, self.status = contexts, workspace, status

    def lookup(self, path: str):
        if path in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[path]
        head, *rest = path.split(".")
        value = self.contexts.get(head, {})
        if rest[:1] == ["*"]:  # needs.*.result
            return [(v or {}).get(rest[1], "") for v in value.values()]
        for part in rest:
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    def evaluate(self, text: str):
        def hash_files(pattern):
            files = sorted(p for p in (self.workspace or Path("/nonexistent")).glob(pattern) if p.is_file())
            return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest() if files else ""

        def fmt(template, *args):
            return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m[1])]), template)

        names = {
            "fromJSON": json.loads,
            "format": fmt,
            "hashFiles": hash_files,
            "always": lambda: True,
            "success": lambda: self.status["success"],
            "failure": lambda: not self.status["success"],
            "cancelled": lambda: False,
            "join": lambda items, sep=",": sep.join(map(str, items)),
            "contains": lambda haystack, needle: needle in haystack,
            "_": self.lookup,
        }
        python = []
        for token in re.findall(r"'(?:[^']|'')*'|[A-Za-z_][\w\-]*(?:\.[\w\-*]+)*|==|!=|&&|\|\||!|\(|\)|,|\s+", text):
            if token.startswith("'"):
                python.append(repr(token[1:-1].replace("''", "'")))
            elif token in ("&&", "||"):
                python.append(" and " if token == "&&" else " or ")
            elif token == "!":
                python.append(" not ")
            elif token in FUNCTIONS:
                python.append(token)
            elif re.match(r"[A-Za-z_]", token):
                python.append(f"_({token!r})")
            else:
                python.append(token)
        # Only this repository's own workflow files are evaluated, with no builtins.
        return eval("".join(python), {"__builtins__": {}}, names)

    def render(self, value):
        """A `with:`/`env:` value: "${{ x }}" alone keeps its type; inside text it becomes text."""
        if not isinstance(value, str):
            return value
        whole = re.fullmatch(r"\$\{\{(.*?)\}\}", value.strip(), re.DOTALL)
        if whole:
            return self.evaluate(whole[1])
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: text(self.evaluate(m[1])), value)


def holds(condition, evaluate: Expression) -> bool:
    """A job's or a step's `if:` as GitHub decides it: with `success() &&` in front unless it names a status
    function itself; no `if:` is `success()`."""
    text = str("success()" if condition is None else condition).strip()
    text = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", text, flags=re.DOTALL)
    if not STATUS_FUNCTIONS.search(text):
        text = f"success() && ({text})"
    return bool(evaluate.evaluate(text))


def text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return "" if value is None else str(value)


@dataclass
class Runner:
    """One workflow run: the event, the repository it checks out, and what the runner machine provides."""

    workflow: str
    event_name: str
    event: dict
    sha: str
    origin: Path  # the git repository standing in for GitHub's
    work: Path  # the runner's disk: workspaces, artifacts, temp
    env: dict[str, str]  # the runner's own environment: PATH, the emulator's endpoint and credentials
    github_api: str
    variables: dict = field(default_factory=dict)  # vars: {"": repository vars, "<environment>": that environment's}
    secrets: dict = field(default_factory=dict)  # the repository's secrets (an unset one is "")
    overrides: dict = field(default_factory=dict)  # the runner machine's last word on a variable (None: unset)
    ref: str = "refs/heads/main"
    base_ref: str = ""
    run_id: int = 4242
    jobs: dict[str, JobRun] = field(default_factory=dict)

    def __post_init__(self):
        self.definition = yaml.safe_load((WORKFLOWS / self.workflow).read_text())
        self.artifacts = self.work / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.uploaded: list[str] = []  # artifact names, in the order of their first upload (their numbers)
        self.uploads = threading.Lock()  # legs upload at once

    def github_context(self) -> dict:
        return {
            "event": self.event,
            "event_name": self.event_name,
            "sha": self.sha,
            "ref": self.ref,
            "base_ref": self.base_ref,
            "repository": "acme/ddb-warmer",
            "token": "ghs_fake",
            "run_id": str(self.run_id),
            "server_url": "https://github.com",
        }

    # --- jobs -------------------------------------------------------------

    def run(
        self,
        only: list[str] | None = None,
        assume: dict[str, str] | None = None,
        stand_in: dict[str, str] | None = None,
    ) -> dict[str, JobRun]:
        """Run the jobs in `only` (default: all) in `needs` order, once each; a job outside `only` counts
        as `assume` says (with why, at the call), or is left for a later call (a run resumed after approval).
        A job in `stand_in` is decided like any other (its needs, its `if`), and when it would run, it ends
        with the given result without running its steps (a job that runs this very test suite)."""
        jobs = self.definition["jobs"]
        stand_in = stand_in or {}
        for job_id, result in (assume or {}).items():
            self.jobs.setdefault(job_id, JobRun(job_id, result))
        progress = True
        while progress:
            progress = False
            for job_id, job in jobs.items():
                needs = job.get("needs", [])
                needs = [needs] if isinstance(needs, str) else needs
                if job_id in self.jobs or (only is not None and job_id not in only and job_id not in stand_in):
                    continue
                if all(n in self.jobs for n in needs):
                    self.jobs[job_id] = self.run_job(job_id, job, needs, stand_in.get(job_id))
                    progress = True
        return self.jobs

    def run_job(self, job_id: str, job: dict, needs: list[str], stand_in: str | None = None) -> JobRun:
        contexts = {
            "github": self.github_context(),
            "needs": {n: {"result": self.jobs[n].result, "outputs": self.jobs[n].outputs} for n in needs},
            "vars": self.variables.get("", {}),
            "secrets": self.secrets,
        }
        status = {"success": all(self.jobs[n].result == "success" for n in needs)}
        if not holds(job.get("if"), Expression(contexts, None, status)):
            return JobRun(job_id, "skipped")
        if stand_in is not None:
            return JobRun(job_id, stand_in, stood_in=True)
        matrix = job.get("strategy", {}).get("matrix")
        if not matrix:
            return self.run_leg(job_id, job, contexts, {})
        legs = Expression(contexts, None, status).render(matrix["environment"])
        runs = []
        if job["strategy"].get("max-parallel") == 1:
            for value in legs:
                # fail-fast, as GitHub does it: once any leg failed, every leg not yet run is cancelled.
                if any(r.result == "failure" for r in runs) and job["strategy"].get("fail-fast", True):
                    runs.append(JobRun(f"{job_id} ({value})", "cancelled"))
                    continue
                runs.append(self.run_leg(job_id, job, contexts, {"environment": value}))
        else:
            # Legs at once, as GitHub starts them (each in a workspace, with an environment, of its own); a
            # leg that fails here cancels no other, since all have started.
            with ThreadPoolExecutor(max_workers=max(len(legs), 1)) as pool:
                runs = list(pool.map(lambda value: self.run_leg(job_id, job, contexts, {"environment": value}), legs))
        combined = JobRun(job_id, "failure" if any(r.result != "success" for r in runs) else "success")
        combined.legs = runs  # type: ignore[attr-defined]
        return combined

    def run_leg(self, job_id: str, job: dict, contexts: dict, matrix: dict) -> JobRun:
        contexts = {**contexts, "matrix": matrix, "steps": {}}
        status = {"success": True}
        leg = f"{job_id} ({matrix['environment']})" if matrix else job_id
        workspace = self.work / "workspaces" / re.sub(r"\W+", "-", leg)
        shutil.rmtree(workspace, ignore_errors=True)
        workspace.mkdir(parents=True)
        evaluate = Expression(contexts, workspace, status)
        run = JobRun(leg, "success", environment=evaluate.render(job.get("environment")))
        if run.environment:
            contexts["vars"] = {**contexts["vars"], **self.variables.get(run.environment, {})}
        summary, output = self.work / f"{leg}-summary.md", self.work / f"{leg}-output"
        summary.write_text("")
        env = {**self.env, **{k: text(evaluate.render(v)) for k, v in self.definition.get("env", {}).items()}}
        env.update({k: text(evaluate.render(v)) for k, v in job.get("env", {}).items()})
        for number, step in enumerate(job["steps"]):
            started = time.monotonic()
            name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
            if not holds(step.get("if"), evaluate):
                run.steps.append((name, "skipped"))
                if "id" in step:
                    contexts["steps"][step["id"]] = {"outcome": "skipped", "outputs": {}}
                continue
            output.write_text("")
            step_env = {**env, **{k: text(evaluate.render(v)) for k, v in step.get("env", {}).items()}}
            step_env.update(self.runner_variables(workspace, summary, output))
            for key, value in self.overrides.items():
                step_env.pop(key, None) if value is None else step_env.__setitem__(key, value)
            inputs = {k: evaluate.render(v) for k, v in step.get("with", {}).items()}
            if "uses" in step:
                ok, outputs, log = self.action(step["uses"], inputs, workspace, env, run)
            else:
                script = evaluate.render(step["run"])
                done = subprocess.run(
                    ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                    cwd=workspace,
                    env=step_env,
                    capture_output=True,
                    text=True,
                )
                ok, log = done.returncode == 0, f"$ {script}\n{done.stdout}{done.stderr}(exit {done.returncode})\n"
                outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
            run.log += f"--- step {number}: {name} ({time.monotonic() - started:.1f} s)\n{log}"
            run.steps.append((name, "success" if ok else "failure"))
            if "id" in step:
                contexts["steps"][step["id"]] = {"outcome": "success" if ok else "failure", "outputs": outputs}
            if not ok:
                status["success"] = False
                run.result = "failure"
        run.outputs = {k: text(evaluate.render(v)) for k, v in job.get("outputs", {}).items()}
        run.summary = summary.read_text()
        return run

    def runner_variables(self, workspace: Path, summary: Path, output: Path) -> dict[str, str]:
        return {
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SHA": self.sha,
            "GITHUB_REF": self.ref,
            "GITHUB_REPOSITORY": "acme/ddb-warmer",
            "GITHUB_API_URL": self.github_api,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": str(self.run_id),
            "RUNNER_TEMP": str(self.work / "temp"),
        }

    # --- actions ----------------------------------------------------------

    def action(self, uses: str, inputs: dict, workspace: Path, env: dict, run: JobRun) -> tuple[bool, dict, str]:
        name = uses.split("@")[0]
        if name == "actions/checkout":
            subprocess.run(["git", "clone", "-q", str(self.origin), str(workspace)], check=True)
            # `ref` (a commit, such as the pull request's base) or the run's own commit.
            ref = inputs.get("ref") or self.sha
            subprocess.run(["git", "checkout", "-q", ref], cwd=workspace, check=True)
            # The machine's bootstrapped tools stand in for the runner's tool cache.
            # The workflow's `make bootstrap` then only checks them, as long as the
            # pins it hashes are this checkout's: otherwise it would reinstall the
            # shared venv for the workspace.
            for pins in ("requirements/dev.txt", "requirements/checkov.txt", "pyproject.toml"):
                assert (workspace / pins).read_bytes() == (ROOT / pins).read_bytes(), f"{pins} differs"
            # Nor may the shared venv be behind them (pytest run without `make` after a change of
            # pyproject.toml): the workspace's bootstrap would reinstall it, editable, from the workspace.
            assert env_is_current(VENV, *project_venv_pins()), ".venv is behind its pins: make bootstrap"
            for tool in (".venv", ".tools", "tests/iam/evaluator/node_modules"):
                (workspace / tool).symlink_to(ROOT / tool)
            return True, {}, f"checked out {ref}\n"
        if name == "jdx/mise-action":
            return True, {}, "tools of mise.toml: the machine's, bootstrapped\n"
        if name == "aws-actions/configure-aws-credentials":
            role = inputs.get("role-to-assume", "")
            run.roles.append(role)
            if not role:
                return False, {}, "Error: Input required and not supplied: role-to-assume\n"
            # As the action does on AWS: the role's credentials (the emulator answers AssumeRole into the
            # role's account) and the region, for every later step of the job.
            env.update(assumed_credentials(env["AWS_ENDPOINT_URL"], role, "GitHubActions"))
            env.update(AWS_REGION=inputs["aws-region"], AWS_DEFAULT_REGION=inputs["aws-region"])
            return True, {}, f"assumed {role} in {inputs['aws-region']}\n"
        if name == "actions/upload-artifact":
            return self.upload(inputs, workspace)
        if name == "actions/download-artifact" and "pattern" in inputs:
            # Each artifact whose name matches, in a folder of its name under `path` (no merge-multiple);
            # none matching downloads nothing and succeeds, as the action does.
            target = workspace / inputs.get("path", ".")
            names = sorted(a.name for a in self.artifacts.iterdir() if fnmatch.fnmatchcase(a.name, inputs["pattern"]))
            for artifact in names:
                shutil.copytree(self.artifacts / artifact, target / artifact, dirs_exist_ok=True)
            return True, {}, f"downloaded {len(names)} artifact(s): {', '.join(names)}\n"
        if name == "actions/download-artifact":
            source = self.artifacts / inputs["name"]
            if not source.is_dir():
                return False, {}, f"Artifact not found for name: {inputs['name']}\n"
            shutil.copytree(source, workspace / inputs.get("path", "."), dirs_exist_ok=True)
            return True, {}, f"downloaded {inputs['name']}\n"
        raise AssertionError(f"the workflow uses {uses}, which this runner does not know")

    def upload(self, inputs: dict, workspace: Path) -> tuple[bool, dict, str]:
        """upload-artifact's rules: hidden files and folders are left out unless include-hidden-files."""
        source = workspace / inputs["path"].strip()
        include_hidden = str(inputs.get("include-hidden-files", "false")).lower() == "true"
        target = self.artifacts / inputs["name"]
        shutil.rmtree(target, ignore_errors=True)
        # A folder's files keep their paths below it; a single file goes to the artifact's root.
        root = source if source.is_dir() else source.parent
        files = [p for p in source.rglob("*") if p.is_file()] if source.is_dir() else [source] * source.is_file()
        files = [
            p for p in files if include_hidden or not any(part.startswith(".") for part in p.relative_to(root).parts)
        ]
        if not files:
            ok = inputs.get("if-no-files-found", "warn") != "error"
            return ok, {}, f"No files were found with the provided path: {inputs['path']}\n"
        for path in files:
            destination = target / path.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
        with self.uploads:
            if inputs["name"] not in self.uploaded:
                self.uploaded.append(inputs["name"])
            number = self.uploaded.index(inputs["name"]) + 1
        url = f"https://github.com/acme/ddb-warmer/actions/runs/{self.run_id}/artifacts/{number}"
        return True, {"artifact-url": url, "artifact-id": "1"}, f"uploaded {len(files)} file(s) as {inputs['name']}\n"


def git(path: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(["git", *args], cwd=path, env=env, capture_output=True, text=True, check=True).stdout.strip()


def commit(path: Path, message: str) -> str:
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", message)
    return git(path, "rev-parse", "HEAD")
