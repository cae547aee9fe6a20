"""One idempotent command that gives a checkout every tool it needs.

    python3 -m ddb_warmer.build.bootstrap

Standard library only: it runs before the virtual environment exists. Every
version comes from mise.toml. What it does, each step skipped when already done:

1. Python as mise.toml pins it (the Lambda runtime's: found on PATH, in pyenv
   or mise, or DDB_WARMER_PYTHON); a virtual environment in .venv from
   requirements/dev.txt (hashes checked; re-installed only when the lock
   changes) with this project installed editable (the `ddb-warmer` command);
   checkov in its own venv, .tools/checkov-venv, from requirements/checkov.txt;
   the local Lambda runtime's venv, .tools/lambda-venv, from
   requirements/lambda-runtime.txt (awslambdaric and the runtime's boto3);
   the handler's botocore matrix, .tools/botocore-{oldest,runtime,newest}-venv,
   from requirements/botocore-*.txt (ddb_warmer/build/botocore_matrix.py);
   the test-time IAM evaluator (tests/iam/evaluator) with `npm ci`;
2. Terraform from PATH, checked against the pinned version;
3. a Terraform CLI config in .tools/terraformrc that installs hashicorp/aws from
   the machine's filesystem mirror (discovered, or DDB_WARMER_PROVIDER_MIRROR),
   with one provider plugin cache (.tools/terraform-plugin-cache) for every init;
4. Terragrunt, actionlint and terraform-docs at their pinned versions: taken
   from PATH when the version matches, otherwise built with Go from their
   published modules into .tools/go (cached per version); the Lambda Runtime
   Interface Emulator (aws-lambda-rie) always built that way.

It ends with one line per tool: name, version, where it came from.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ddb_warmer.build import toolenv
from ddb_warmer.build.botocore_matrix import MATRIX
from ddb_warmer.build.versions import pinned_versions


class BootstrapError(RuntimeError):
    """A tool is missing or at the wrong version; the message says what to do."""


@dataclass(frozen=True)
class GoTool:
    """A command published as a Go module, built the way `go install` would."""

    name: str
    module: str
    package: str  # package path inside the module that holds `main`
    ldflags: str  # "{version}" is replaced by the pinned version (without "v")
    # False for a command that has no version flag: the pinned module version is
    # what gets built, and nothing on PATH is trusted in its place.
    reports_version: bool = True


GO_TOOLS = (
    GoTool(
        "terragrunt",
        "github.com/gruntwork-io/terragrunt",
        ".",
        "-s -w -X github.com/gruntwork-io/terragrunt/internal/version.Version=v{version}",
    ),
    GoTool(
        "actionlint",
        "github.com/rhysd/actionlint",
        "./cmd/actionlint",
        "-s -w -X github.com/rhysd/actionlint.version={version}",
    ),
    GoTool(
        "terraform-docs",
        "github.com/terraform-docs/terraform-docs",
        ".",
        "-s -w",
    ),
    # aws-lambda-rie ignores unknown flags: `--version` would start an emulator
    # on 0.0.0.0:8080, so it is never probed.
    GoTool(
        "aws-lambda-rie",
        "github.com/aws/aws-lambda-runtime-interface-emulator",
        "./cmd/aws-lambda-rie",
        "-s -w",
        reports_version=False,
    ),
)

# Where machine images and people usually keep an offline provider mirror, in
# the order they are tried after DDB_WARMER_PROVIDER_MIRROR and the mirror of an
# existing CLI config. Terraform's own implied-mirror directories come first.
MIRROR_CANDIDATES = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/tf-plugins",
    "/opt/terraform/plugins",
    "/opt/terraform-plugins",
    "/opt/terraform-providers",
)
# Searched (a few levels deep) when no candidate holds the provider.
MIRROR_SEARCH_ROOTS = ("/opt", "/usr/local/share", "/usr/share", "/srv")
AWS_PROVIDER = Path("registry.terraform.io/hashicorp/aws")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def output_of(cmd: list[str]) -> str | None:
    """The command's stdout, or None when it is missing or fails."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# --- 1. Python ------------------------------------------------------------

PYTHON_ENV = "DDB_WARMER_PYTHON"


def python_candidates(minor: str) -> list[str]:
    """Interpreters that may be Python <minor> (e.g. "3.13"), most explicit first; only the override when set."""
    if os.environ.get(PYTHON_ENV):
        return [os.environ[PYTHON_ENV]]
    found = [shutil.which(f"python{minor}") or ""]
    pyenv_root = (output_of(["pyenv", "root"]) or "").strip() or os.path.expanduser("~/.pyenv")
    found += sorted(glob.glob(f"{pyenv_root}/versions/{minor}*/bin/python{minor}"), reverse=True)
    mise_dir = (output_of(["mise", "where", f"python@{minor}"]) or "").strip()
    if mise_dir:
        found.append(f"{mise_dir}/bin/python{minor}")
    found += sorted(glob.glob(os.path.expanduser(f"~/.local/share/mise/installs/python/{minor}*/bin/python{minor}")))
    found.append(shutil.which("python3") or "")
    return [path for path in dict.fromkeys(found) if path]


def find_python(minor: str) -> Path:
    """The interpreter for every venv: the Lambda runtime's Python, as mise.toml pins it."""
    for candidate in python_candidates(minor):
        if python_version(Path(candidate)).rsplit(".", 1)[0] == minor:
            return Path(candidate)
    if os.environ.get(PYTHON_ENV):
        raise BootstrapError(f"{PYTHON_ENV}={os.environ[PYTHON_ENV]} is not Python {minor}")
    raise BootstrapError(
        f"Python {minor} (the Lambda runtime's, pinned in mise.toml) not found on PATH, in pyenv or in mise. "
        f"Install it (`mise install python@{minor}`, `pyenv install {minor}`, or your package manager), "
        f"or point {PYTHON_ENV} at a python{minor} binary."
    )


STAMP = ".bootstrap-lock.sha256"  # in a venv: the digest of what its last install held


def lock_digest(lock: Path, extra: bytes, version: str) -> str:
    return hashlib.sha256(lock.read_bytes() + extra + version.encode()).hexdigest()


def env_is_current(folder: Path, lock: Path, extra: bytes = b"", version: str | None = None) -> bool:
    """Whether the venv in `folder` holds what `lock` and `extra` pin, installed on Python `version` (the
    venv's own when not given)."""
    venv_python, stamp = folder / "bin" / "python", folder / STAMP
    if not (venv_python.exists() and stamp.exists()):
        return False
    return stamp.read_text() == lock_digest(lock, extra, version or python_version(venv_python))


def ensure_env(folder: Path, python: Path, lock: Path, extra: bytes = b"") -> bool:
    """A venv in `folder` on `python` with `lock` installed (hashes checked); False when already so."""
    version = python_version(python)
    if env_is_current(folder, lock, extra, version):
        return False
    venv_python = folder / "bin" / "python"
    if not venv_python.exists() or python_version(venv_python) != version:
        run([str(python), "-m", "venv", "--clear", str(folder)])
    pip = [str(venv_python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, "--require-hashes", "--no-deps", "-r", str(lock)])
    (folder / STAMP).write_text(lock_digest(lock, extra, version))
    return True


def project_venv_pins() -> tuple[Path, bytes]:
    """What .venv holds: requirements/dev.txt, and this checkout's pyproject.toml, installed editable."""
    return toolenv.ROOT / "requirements" / "dev.txt", (toolenv.ROOT / "pyproject.toml").read_bytes()


def ensure_venv(python: Path) -> str:
    lock, pyproject = project_venv_pins()
    if ensure_env(toolenv.VENV, python, lock, pyproject):
        # The project itself, editable: `ddb-warmer` on the venv's PATH as a console
        # script, the same entry point `pip install .` or `pipx install .` gives.
        pip = [str(toolenv.VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        run([*pip, "--no-deps", "--no-build-isolation", "--editable", str(toolenv.ROOT)])
        return f"{python_version(python)} (.venv from {python}, installed from requirements/dev.txt)"
    return f"{python_version(python)} (.venv, up to date)"


def ensure_lambda_venv(python: Path) -> str:
    """The local Lambda runtime's Python: awslambdaric and the runtime's boto3, nothing of the tooling."""
    lock = toolenv.ROOT / "requirements" / "lambda-runtime.txt"
    changed = ensure_env(toolenv.LAMBDA_VENV, python, lock)
    return f"{python_version(python)} (.tools/lambda-venv, {'installed' if changed else 'up to date'})"


def ensure_botocore_matrix(python: Path) -> str:
    """One venv per botocore the handler's tests run on, each with moto and pytest."""
    changed = [entry.name for entry in MATRIX if ensure_env(entry.venv, python, entry.lock)]
    names = ", ".join(entry.name for entry in MATRIX)
    return f"{names} (.tools/botocore-*-venv, {'installed ' + ', '.join(changed) if changed else 'up to date'})"


def ensure_checkov(python: Path) -> str:
    lock = toolenv.ROOT / "requirements" / "checkov.txt"
    changed = ensure_env(toolenv.CHECKOV_VENV, python, lock)
    # The venv holds exactly the lock (its stamp says so), so the lock names the version: asking
    # `checkov --version` would import checkov, some 3 CPU-seconds on every bootstrap.
    pinned = re.search(r"^checkov==(\S+)", lock.read_text(), re.MULTILINE)
    version = pinned[1] if pinned else "?"
    return f"{version} (.tools/checkov-venv, {'installed' if changed else 'up to date'})"


def python_version(python: Path) -> str:
    return (output_of([str(python), "-c", "import platform; print(platform.python_version())"]) or "?").strip()


# --- 1b. Node test tools ----------------------------------------------------


def ensure_node_tool(folder: Path) -> str:
    """`npm ci` of a test-time Node tool pinned by its package-lock.json (never shipped)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise BootstrapError(
            f"Node.js and npm are needed for the test-time tool in {folder.relative_to(toolenv.ROOT)}: "
            "install Node.js 20 or newer (mise: `mise use node@20`)."
        )
    lock = folder / "package-lock.json"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = folder / "node_modules" / ".bootstrap-lock.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return f"node {(output_of(['node', '--version']) or '').strip()} ({folder.name}, up to date)"
    run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(digest)
    return f"node {(output_of(['node', '--version']) or '').strip()} ({folder.name}, installed with npm ci)"


# --- 2. Terraform ---------------------------------------------------------


def check_terraform(pinned: str) -> str:
    path = shutil.which("terraform")
    if path is None:
        raise BootstrapError(
            f"terraform not found on PATH. Install Terraform {pinned} (see mise.toml), "
            "for example with `mise install terraform`."
        )
    raw = output_of([path, "version", "-json"])
    found = json.loads(raw)["terraform_version"] if raw else "unknown"
    if found != pinned:
        raise BootstrapError(
            f"{path} is Terraform {found}, but mise.toml pins {pinned}. "
            f"Put Terraform {pinned} first on PATH (or change the pin in mise.toml)."
        )
    return f"{found} ({path})"


# --- 3. Provider mirror ---------------------------------------------------


def platform_dir() -> str:
    machine = os.uname().machine
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{sys.platform}_{arch}"


def mirror_versions(root: Path) -> list[str]:
    """Versions of hashicorp/aws that a mirror directory holds for this platform."""
    provider = root / AWS_PROVIDER
    if not provider.is_dir():
        return []
    found = set()
    for entry in provider.iterdir():
        # Unpacked layout: <version>/<os_arch>/terraform-provider-aws_*
        if entry.is_dir() and any((entry / platform_dir()).glob("terraform-provider-aws*")):
            found.add(entry.name)
        # Packed layout: terraform-provider-aws_<version>_<os>_<arch>.zip
        suffix = f"_{platform_dir()}.zip"
        if entry.name.startswith("terraform-provider-aws_") and entry.name.endswith(suffix):
            found.add(entry.name[len("terraform-provider-aws_") : -len(suffix)])
    return sorted(found)


def mirrors_in_cli_config() -> list[str]:
    """filesystem_mirror paths of a CLI config the machine already points at."""
    config = os.environ.get("TF_CLI_CONFIG_FILE", "")
    if not config or Path(config).resolve() == toolenv.TERRAFORMRC.resolve():
        return []
    try:
        text = Path(config).read_text()
    except OSError:
        return []
    return re.findall(r'filesystem_mirror\s*{[^}]*path\s*=\s*"([^"]+)"', text)


def searched_mirrors() -> list[str]:
    found = []
    for base in MIRROR_SEARCH_ROOTS:
        base_path = Path(base)
        if not base_path.is_dir():
            continue
        for depth in ("*", "*/*", "*/*/*"):
            found += [str(p.parent) for p in base_path.glob(f"{depth}/registry.terraform.io")]
    return found


def find_provider_mirror() -> tuple[Path | None, list[str]]:
    """(mirror, places looked at). DDB_WARMER_PROVIDER_MIRROR wins when set."""
    override = os.environ.get(toolenv.MIRROR_ENV)
    if override:
        return Path(override).expanduser(), [f"{toolenv.MIRROR_ENV}={override}"]
    looked = []
    for candidate in (*mirrors_in_cli_config(), *MIRROR_CANDIDATES, *searched_mirrors()):
        path = Path(candidate).expanduser()
        if str(path) in looked:
            continue
        looked.append(str(path))
        if mirror_versions(path):
            return path, looked
    return None, looked


def link_unpacked_mirror_into_cache(mirror: Path, versions: list[str]) -> None:
    """What Terraform's first init would put in the cache for an unpacked mirror (a link to it), put
    there now: parallel inits (make test) then only read the cache, none races to fill it."""
    cache = toolenv.TOOLS / "terraform-plugin-cache" / AWS_PROVIDER
    for version in versions:
        unpacked = mirror / AWS_PROVIDER / version / platform_dir()
        link = cache / version / platform_dir()
        if unpacked.is_dir() and not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                link.symlink_to(unpacked)


def plugin_cache_lines() -> str:
    """One provider cache for every `terraform init` of this checkout: each init links the provider
    (about 500 MB for hashicorp/aws) from there instead of downloading it, or copying it out of a
    packed mirror, into its own .terraform. Terraform needs the folder to exist. It reuses a cached
    provider for a configuration without a lock file only when allowed to (such a lock file then
    records this platform's checksum only; the units of live/ keep theirs committed):
    https://developer.hashicorp.com/terraform/cli/config/config-file#provider-plugin-cache
    The real path: a checkout whose .tools links to another one's (the workflow runner's workspaces)
    shares this config, which must not name a folder of that checkout."""
    cache = toolenv.TOOLS.resolve() / "terraform-plugin-cache"
    cache.mkdir(parents=True, exist_ok=True)
    return f"plugin_cache_dir = {json.dumps(str(cache))}\nplugin_cache_may_break_dependency_lock_file = true\n"


def write_atomically(path: Path, text: str) -> None:
    """Terraform may be reading the file right now (parallel tests, a workspace whose .tools is this
    one's): a reader sees the old or the new text, never a half-written one; unchanged, it is kept."""
    if path.exists() and path.read_text() == text:
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def write_cli_config(pinned_provider: str) -> str:
    override = os.environ.get(toolenv.MIRROR_ENV, "")
    toolenv.TOOLS.mkdir(parents=True, exist_ok=True)
    if override == "direct":
        # Online machines (GitHub runners) install from the registry as usual.
        write_atomically(toolenv.TERRAFORMRC, "disable_checkpoint = true\n" + plugin_cache_lines())
        return "registry (DDB_WARMER_PROVIDER_MIRROR=direct)"
    mirror, looked = find_provider_mirror()
    if mirror is None or not mirror_versions(mirror):
        raise BootstrapError(
            f"No filesystem mirror of hashicorp/aws for {platform_dir()} found. Looked in: "
            + ", ".join(looked)
            + f". Each needs {AWS_PROVIDER}/<version>/{platform_dir()}/terraform-provider-aws_*. "
            f"Set {toolenv.MIRROR_ENV}=/path/to/mirror, or {toolenv.MIRROR_ENV}=direct on a "
            "machine that reaches registry.terraform.io."
        )
    versions = mirror_versions(mirror)
    write_atomically(
        toolenv.TERRAFORMRC,
        "# Generated by `python3 -m ddb_warmer.build.bootstrap`; do not edit.\n"
        "disable_checkpoint = true\n" + plugin_cache_lines() + "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n",
    )
    link_unpacked_mirror_into_cache(mirror, versions)
    note = "" if pinned_provider in versions else f"; mise.toml expects {pinned_provider}"
    return f"{', '.join(versions)} (mirror {mirror}{note})"


# --- 4. Go tools ----------------------------------------------------------


def tool_version(path: str) -> str | None:
    out = output_of([path, "--version"])
    if not out:
        return None
    # "terragrunt version v1.1.3", "v1.7.12\n...", "terraform-docs version v0.21.0 ..."
    for word in out.replace("\n", " ").split():
        if word.lstrip("v")[:1].isdigit():
            return word.lstrip("v")
    return None


def ensure_go_tool(tool: GoTool, pinned: str) -> str:
    link = toolenv.TOOLS_BIN / tool.name
    toolenv.TOOLS_BIN.mkdir(parents=True, exist_ok=True)
    built = toolenv.TOOLS / "go" / f"{tool.name}-{pinned}" / tool.name
    if built.exists():
        relink(link, built)
        return f"{pinned} (.tools, cached build)"
    on_path = shutil.which(tool.name, path=os.environ.get("PATH", "").replace(str(toolenv.TOOLS_BIN), ""))
    if on_path and tool.reports_version and tool_version(on_path) == pinned:
        relink(link, Path(on_path))
        return f"{pinned} ({on_path})"
    build_go_tool(tool, pinned, built)
    relink(link, built)
    found = tool_version(str(built)) if tool.reports_version else pinned
    if found != pinned:
        raise BootstrapError(f"built {tool.name} reports version {found}, expected {pinned}")
    return f"{pinned} (.tools, built from {tool.module}@v{pinned})"


def relink(link: Path, target: Path) -> None:
    # The real path: a checkout whose .tools is a link to another one's (the
    # workflow runner's workspaces) must not point the shared links at itself.
    resolved = target.resolve()
    if link.is_symlink() and link.readlink() == resolved:
        return
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(resolved)


def build_go_tool(tool: GoTool, pinned: str, dest: Path) -> None:
    go = shutil.which("go")
    if go is None:
        raise BootstrapError(
            f"{tool.name} {pinned} is not on PATH and Go is not installed to build it. "
            f"Install {tool.name} {pinned} or Go (https://go.dev/dl/)."
        )
    print(f"building {tool.name} v{pinned} with {go} (first run only) ...", flush=True)
    # `go install module@version` would be the same build, but it ignores the
    # module's `replace` lines (Terragrunt has some) and asks the proxy for the
    # module's version list, which some proxies refuse. Downloading the module
    # and building inside it honours both the replaces and the pinned go.sum.
    info = json.loads(run([go, "mod", "download", "-json", f"{tool.module}@v{pinned}"], capture_output=True).stdout)
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly -buildvcs=false"}
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".partial")
    run(
        [
            go,
            "build",
            "-trimpath",
            "-ldflags",
            tool.ldflags.format(version=pinned),
            "-o",
            str(tmp),
            tool.package,
        ],
        cwd=info["Dir"],
        env=env,
    )
    tmp.rename(dest)


def main(argv: list[str] | None = None) -> int:
    versions = pinned_versions()
    if argv is None:
        argv = sys.argv[1:]
    if argv == ["--print-python"]:  # for `make lock`
        try:
            print(find_python(versions["python"]))
        except BootstrapError as error:
            print(f"bootstrap: {error}", file=sys.stderr)
            return 1
        return 0
    report: list[tuple[str, str]] = []
    try:
        python = find_python(versions["python"])
        report.append(("python", ensure_venv(python)))
        report.append(("checkov", ensure_checkov(python)))
        report.append(("lambda runtime", ensure_lambda_venv(python)))
        report.append(("botocore matrix", ensure_botocore_matrix(python)))
        report.append(("iam-simulate", ensure_node_tool(toolenv.IAM_EVALUATOR)))
        report.append(("terraform", check_terraform(versions["terraform"])))
        report.append(("hashicorp/aws", write_cli_config(versions["aws_provider"])))
        for tool in GO_TOOLS:
            report.append((tool.name, ensure_go_tool(tool, versions[tool.name])))
    except BootstrapError as error:
        for name, line in report:
            print(f"  {name:<15} {line}")
        print(f"bootstrap: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"bootstrap: command failed ({error.returncode}): {' '.join(error.cmd)}", file=sys.stderr)
        return 1
    for name, line in report:
        print(f"  {name:<15} {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
