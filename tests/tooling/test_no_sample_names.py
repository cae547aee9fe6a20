"""No code or test depends on the sample: nothing outside live/ names a table, an environment or an
account that live/ holds, so an adopter's live/ (other names, other accounts) needs no change elsewhere.
tests/live/test_adopter_copy.py shows such a live/ planning in a copy of the repository.

What counts as naming one, read from live/ (ddb_warmer/build/live.py, ddb_warmer/local/seed.py):
- a table: every table a unit lists and every table the emulator's seeding makes for its patterns, as a
  whole word in code (Python's string values, not its docstrings or comments; the other files' lines
  that are not comments). A pattern (`prod-*`) is no value of its own: the module's messages use one as
  the example of a glob, and a dependency on it shows as a table it finds;
- an account ID, the same way, except 123456789012: AWS's documentation example and moto's default
  account (ddb_warmer/local/emulator.py), which messages and the emulator name whatever live/ holds;
- an environment, as a folder of this checkout's live/: `LIVE / "<env>"`, `environment("<env>")`,
  `….seeded["<env>"]`, a `live/<env>` path in a string, or `"<env>"` or `live/<env>` in a workflow,
  the Makefile or Terraform. Environment names are ordinary words (dev, prod) that tests of logic and
  prose use for their own trees, so a bare word is no dependency.

Where it looks: every file of the checkout outside live/, except
- Markdown (README.md, docs/, the modules' READMEs): they quote examples for the reader (docs/adopting.md
  walks through the sample's tables) and run nothing;
- fixture trees (tests/ci/fixtures/) and the modules' own tests (*.tftest.hcl, mocked providers): their
  values are their own;
- test files that never reach this checkout's live/ or the emulator seeded from it (in-process moto, trees
  they write, the fixture trees): a name there is the test's own fixture, whatever live/ holds. A test
  reaches live/ when it uses LIVE, `environments()` or `seed_live(emulator)` with no tree named,
  tests/live/unused.py, or the `emulator` fixture without a fixture tree of tests/ci/fixtures as its live/
  (named in the file, or through tests/ci/workflow_fixture.py);
- this file's own examples.
"""

from __future__ import annotations

import ast
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddb_warmer.build.live import LIVE, environments, unit_dirs, unit_inputs
from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.local.seed import unit_tables

EXAMPLE_ACCOUNT = "123456789012"
NOT_SCANNED = re.compile(r"^live/|\.md$|^tests/ci/fixtures/|\.tftest\.hcl$")
# Files other than Python that run against live/: the workflows, the Makefile, Terraform and Terragrunt.
CONFIGURATION = re.compile(r"^\.github/|^Makefile$|\.tf$|\.hcl$|^mise\.toml$|^pyproject\.toml$")
# This file's own examples of each way of naming a table, an environment or an account.
SELF = Path(__file__).relative_to(ROOT).as_posix()


@dataclass(frozen=True)
class SampleNames:
    tables: frozenset[str]
    environments: frozenset[str]
    accounts: frozenset[str]


def sample_names(live: Path = LIVE) -> SampleNames:
    tables: set[str] = set()
    for environment in environments(live):
        for unit in unit_dirs(live / environment.name):
            specs, _ = unit_tables(unit_inputs(unit))
            tables |= {spec.name for spec in specs}
    accounts = {e.account for e in environments(live)} | {p.name for p in (live / "_bootstrap").glob("[0-9]*")}
    return SampleNames(
        frozenset(tables), frozenset(e.name for e in environments(live)), frozenset(accounts - {EXAMPLE_ACCOUNT})
    )


def word(value: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-]){re.escape(value)}(?![\w-])")


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def reaches_live(tree: ast.AST) -> bool:
    """Whether a test reads this checkout's live/ or uses the emulator seeded from it (without a fixture
    tree of its own under tests/ci/fixtures playing the part of live/)."""
    own_tree = any(
        (isinstance(node, ast.Constant) and node.value in ("fixtures", "tests/ci/fixtures"))
        # The workflow tests' fixture tree, tests/ci/fixtures/workflow-live, comes from this module.
        or (isinstance(node, ast.ImportFrom) and node.module == "tests.ci.workflow_fixture")
        for node in ast.walk(tree)
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "LIVE":
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "tests.live.unused":
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and (node.func.id, len(node.args)) in {("environments", 0), ("seed_live", 1), ("seeded_units", 1)}
        ):
            return True
        if isinstance(node, ast.arg) and node.arg == "emulator" and not own_tree:
            return True
    return False


def constant(node: ast.AST, values: frozenset[str]) -> str | None:
    return node.value if isinstance(node, ast.Constant) and node.value in values else None


def python_offences(path: str, text: str, names: SampleNames) -> list[str]:
    tree = ast.parse(text)
    if path.startswith("tests/") and not reaches_live(tree):
        return []
    skipped = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            found += [f"{where}: table {t}" for t in sorted(names.tables) if word(t).search(node.value)]
            found += [f"{where}: account {a}" for a in sorted(names.accounts) if word(a).search(node.value)]
            found += [
                f"{where}: environment {e} (live/{e})"
                for e in sorted(names.environments)
                if re.search(rf"(?:^|[/\s'\"]){re.escape(f'live/{e}')}(?:/|$|[\s'\"])", node.value)
            ]
        # LIVE / "<env>"
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and isinstance(node.left, ast.Name)
            and node.left.id == "LIVE"
            and (e := constant(node.right, names.environments))
        ):
            found.append(f"{where}: environment {e} (LIVE / {e!r})")
        # environment("<env>") and environment_dir("<env>"), which read this checkout's live/
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"environment", "environment_dir"}
            and len(node.args) == 1
            and (e := constant(node.args[0], names.environments))
        ):
            found.append(f"{where}: environment {e} ({node.func.id}({e!r}))")
        # ….seeded["<env>"]
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "seeded"
            and (e := constant(node.slice, names.environments))
        ):
            found.append(f"{where}: environment {e} (seeded[{e!r}])")
    return found


def configuration_offences(path: str, text: str, names: SampleNames) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("#", "//")):
            continue
        where = f"{path}:{number}"
        found += [f"{where}: table {t}" for t in sorted(names.tables) if word(t).search(line)]
        found += [f"{where}: account {a}" for a in sorted(names.accounts) if word(a).search(line)]
        found += [
            f"{where}: environment {e}"
            for e in sorted(names.environments)
            if re.search(rf"""["']{re.escape(e)}["']|(?<![\w-])live/{re.escape(e)}(?![\w-])""", line)
        ]
    return found


def offences(root: Path, paths: list[str], names: SampleNames) -> list[str]:
    """Each naming of the sample, as "file:line: kind name (how)", by file and line."""
    found = []
    for path in paths:
        if NOT_SCANNED.search(path) or path == SELF or not (root / path).is_file():
            continue
        if path.endswith(".py"):
            found += python_offences(path, (root / path).read_text(), names)
        elif CONFIGURATION.search(path):
            found += configuration_offences(path, (root / path).read_text(), names)
    return sorted(set(found), key=lambda o: (o.split(":")[0], int(o.split(":")[1]), o))


def checkout_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True
    ).stdout.split(b"\0")
    return sorted(filter(None, (name.decode() for name in listed)))


@pytest.mark.slow  # reads every unit of live/ through `terragrunt render`
def test_no_code_or_test_names_a_table_environment_or_account_of_live():
    """What live/ holds today is named nowhere else: the code and the tests of live/ read it."""
    names = sample_names()
    assert names.tables and names.environments, "live/ holds no table or environment to look for"
    assert offences(ROOT, checkout_files(), names) == []


def test_the_scan_finds_each_way_of_naming_the_sample_and_only_those(tmp_path):
    """The scan above can fail: each way of naming a table, an environment or an account is found, and
    docstrings, comments, docs, fixture trees and tests with fixtures of their own are left alone."""
    names = SampleNames(frozenset({"shop-orders"}), frozenset({"prod"}), frozenset({"210987654321"}))
    files = {
        "ddb_warmer/thing.py": '"""shop-orders in a docstring is prose."""\nTABLE = "shop-orders"\n',
        "tests/live/test_reads.py": (
            "from ddb_warmer.build.live import LIVE\n"
            'UNIT = LIVE / "prod" / "warmer"\n'
            'def test_x(emulator):\n    emulator.seeded["prod"]\n    environment("prod")\n'
            '    assert "account 210987654321" and "live/prod/warmer"\n'
        ),
        "tests/handler/test_own_fixture.py": 'TABLE = "shop-orders"\nPATH = "live/prod/warmer"\n',
        "tests/ci/test_own_tree.py": (
            'TREE = Path(__file__).parent / "fixtures" / "live"\ndef test_y(emulator):\n    "live/prod/warmer"\n'
        ),
        ".github/workflows/apply.yml": "# prod: reviewers\nenvironment: 'prod'\nrole: 210987654321\n",
        "modules/m/main.tf": 'name = "shop-orders-copy"\n',
        "docs/adopting.md": "The table shop-orders of live/prod.\n",
        "tests/ci/fixtures/live/prod/warmer/terragrunt.hcl": 'tables = [{ name = "shop-orders" }]\n',
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    assert offences(tmp_path, sorted(files), names) == [
        ".github/workflows/apply.yml:2: environment prod",
        ".github/workflows/apply.yml:3: account 210987654321",
        "ddb_warmer/thing.py:2: table shop-orders",
        "tests/live/test_reads.py:2: environment prod (LIVE / 'prod')",
        "tests/live/test_reads.py:4: environment prod (seeded['prod'])",
        "tests/live/test_reads.py:5: environment prod (environment('prod'))",
        "tests/live/test_reads.py:6: account 210987654321",
        "tests/live/test_reads.py:6: environment prod (live/prod)",
    ]
