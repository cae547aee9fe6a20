"""An adopter's copy of the repository works with edits to live/ only: its generated live/ plans.

The copy renames every table and pattern, moves the first environment to a region live/ does not use,
keeps only the home region of an environment that has several, and adds an environment with
`ddb-warmer new-environment` whose name, account and region live/ does not hold (tests/live/unused.py).
Only live/ changes. Then every unit of the copy's live/ is planned by the copy's own Terragrunt on an
emulator seeded from the copy's live/, each environment with credentials of its account, and must
resolve the renamed tables in the unit's region; each account's bootstrap serves the copy's
environments and regions; and the copy's change counts as a live/-only change affecting every
environment, as its pull request would see it.

What this no longer runs in the copy, and why that holds: the copy's tests/live and demo apply, tick and
destroy the first environment. Those read live/ through the same code the plan reads it with
(ddb_warmer/build/live.py, ddb_warmer/local/seed.py), and run against this checkout's live/ in
tests/live/test_environments.py; that no code or test names one of live/'s tables, environments or
accounts is tests/tooling/test_no_sample_names.py. tests/ci/test_affected.py runs on its own fixture
tree, the same in the copy.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddb_warmer.build.live import Environment, environments, rendered, unit_dirs, unit_inputs, unit_region
from ddb_warmer.build.package import base64_sha256, build_zip
from ddb_warmer.build.terragrunt import terragrunt
from ddb_warmer.build.toolenv import WORK, tool_env
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.local.seed import Seeded, seed_live
from ddb_warmer.names import state_bucket
from tests.checkout_copy import READ_ONLY_INIT, copy_checkout
from tests.ci.workflow_runner import commit, git
from tests.iam.ci_roles import BOOTSTRAP_ENV
from tests.live.test_environments import WARMER_RESOURCES, assert_no_deprecation_warning, planned_config
from tests.live.unused import unused_account, unused_name, unused_region

pytestmark = pytest.mark.slow

PREFIX = "acme-"  # every table and pattern of the copy starts with it


def rename_tables(live: Path) -> None:
    """Every listed table and every pattern of every unit gets the prefix."""
    for environment in environments(live):
        for unit in unit_dirs(live / environment.name):
            inputs = unit_inputs(unit)
            old = [t["name"] for t in inputs.get("tables") or []]
            old += inputs.get("table_name_patterns") or []
            old += inputs.get("exclude_table_name_patterns") or []
            files = {unit / "terragrunt.hcl", *unit.parent.glob("*.hcl"), *(live / environment.name).glob("*.hcl")}
            for file in sorted(files):
                text = file.read_text()
                for name in old:
                    text = text.replace(f'"{name}"', f'"{PREFIX}{name}"')
                file.write_text(text)


def ran(args: list[str], cwd: Path, log: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in tool_env().items() if not k.startswith("PYTEST")} | (extra_env or {})
    env["PATH"] = f"{cwd / '.venv' / 'bin'}:{env['PATH']}"
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    log.write_text(f"$ {' '.join(args)}\n{done.stdout}\n{done.stderr}\nexit {done.returncode}\n")
    return done


@dataclass(frozen=True)
class Adopted:
    copy: Path
    published: list[Environment]  # live/ as this checkout holds it
    moved: str  # the first environment, now in `moved_to`
    moved_to: str
    trimmed: str | None  # the environment left with its home region alone
    added: Environment

    @property
    def live(self) -> Path:
        return self.copy / "live"


@pytest.fixture(scope="module")
def adopted(tmp_path_factory) -> Adopted:
    """The copy, with the adopter's edits made and committed on top of the published repository."""
    copy = tmp_path_factory.mktemp("adopter") / "repository"
    copy_checkout(copy, tools=True)
    live = copy / "live"
    published = environments(live)
    first = published[0]
    multi = next((e for e in published if len(e.regions) > 1), None)
    new_region = unused_region(live)
    added_name, added_account = unused_name(live), unused_account(live)
    added_region = unused_region(live, also_taken=(new_region,))

    rename_tables(live)
    # The first environment moves to another region: every region.hcl of it names the new one.
    for region_hcl in (live / first.name).rglob("region.hcl"):
        region_hcl.write_text(
            re.sub(r'aws_region\s*=\s*"[^"]+"', f'aws_region = "{new_region}"', region_hcl.read_text())
        )
    # An environment with several regions keeps only its home region.
    if multi:
        for unit in unit_dirs(live / multi.name)[1:]:
            shutil.rmtree(unit.parent)
    written = ran(
        [
            str(copy / ".venv" / "bin" / "python"),
            *("-m", "ddb_warmer.ops.cli", "new-environment", added_name),
            *("--account", added_account, "--region", added_region, "--after", first.name),
            *("--table", f"{PREFIX}{added_name}-orders", "--notify-email", f"{added_name}-alerts@example.com"),
        ],
        copy,
        copy.parent / "new-environment.log",
    )
    assert written.returncode == 0, written.stderr
    # The inputs of each unit were rendered before the edits (rename_tables), and are kept by folder.
    rendered.cache_clear()
    adopted = Adopted(
        copy,
        published,
        first.name,
        new_region,
        multi.name if multi else None,
        Environment(added_name, added_account, (first.name,), (added_region,)),
    )
    commit(copy, "adopted")
    return adopted


def test_the_adopters_edits_change_live_only_and_the_new_environment_follows_the_first(adopted):
    changed = git(adopted.copy, "diff", "--name-only", "HEAD~1", "HEAD").splitlines()
    assert changed and all(path.startswith("live/") for path in changed), changed
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "adopter-copy-diffstat.txt").write_text(git(adopted.copy, "diff", "--stat", "HEAD~1", "HEAD") + "\n")

    copied = {e.name: e for e in environments(adopted.live)}
    assert sorted(copied) == sorted([*(e.name for e in adopted.published), adopted.added.name])
    assert copied[adopted.added.name] == adopted.added
    assert copied[adopted.moved].regions == (adopted.moved_to,)
    if adopted.trimmed:
        home = next(e for e in adopted.published if e.name == adopted.trimmed).regions[0]
        assert copied[adopted.trimmed].regions == (home,)


def test_the_copys_live_only_change_affects_every_environment_in_promotion_order(adopted):
    """The pull request of the adopter's change: live/ only (lint, the tests of live/ and the plans run),
    every environment affected, the new one right after the one it follows."""
    python = str(adopted.copy / ".venv" / "bin" / "python")
    log = adopted.copy.parent / "affected.log"
    everything = ran([python, "-m", "ddb_warmer.ci.affected", "--all"], adopted.copy, log)
    affected = ran([python, "-m", "ddb_warmer.ci.affected", "--base", "HEAD~1"], adopted.copy, log)
    code = ran([python, "-m", "ddb_warmer.ci.affected", "--base", "HEAD~1", "--code-changed"], adopted.copy, log)

    order = [e.name for e in environments(adopted.live)]
    assert json.loads(everything.stdout) == json.loads(affected.stdout) == order
    assert order.index(adopted.added.name) > order.index(adopted.moved)
    assert json.loads(code.stdout) is False


def test_each_accounts_bootstrap_serves_the_copys_environments_and_regions(adopted, monkeypatch):
    monkeypatch.setenv("DDB_WARMER_GITHUB_REPOSITORY", BOOTSTRAP_ENV["DDB_WARMER_GITHUB_REPOSITORY"])
    copied = environments(adopted.live)
    accounts = sorted({e.account for e in copied})
    units = sorted(adopted.live.glob("_bootstrap/*/github-oidc/terragrunt.hcl"))
    assert [u.parent.parent.name for u in units] == accounts
    for account in accounts:
        mine = [e for e in copied if e.account == account]
        inputs = unit_inputs(adopted.live / "_bootstrap" / account / "github-oidc")
        assert inputs["environments"] == sorted(e.name for e in mine), account
        regions = sorted({r for e in mine for r in e.regions})
        assert inputs["state_buckets"] == [state_bucket(region, account) for region in regions], account


@pytest.fixture(scope="module")
def copy_plans(adopted, tmp_path_factory):
    """The plan of every unit of the copy's live/, by its path under live/, each environment planned by
    `terragrunt run --all plan` with credentials of its account, on an emulator seeded from the copy's
    live/; and what each unit found there."""
    downloads = tmp_path_factory.mktemp("terragrunt")  # the copy's working copies, apart from the checkout's
    with running_emulator(name="moto-adopter-copy") as emulator:
        seeded = seed_live(emulator, adopted.live)
        envs = {
            e.name: emulator.env(account=e.account) | {"TG_DOWNLOAD_DIR": str(downloads)} | READ_ONLY_INIT
            for e in environments(adopted.live)
        }

        def planned(environment: str) -> dict[str, dict]:
            env_dir = adopted.live / environment
            run = terragrunt(["run", "--all", "plan", "--", "-out=tfplan"], env_dir, envs[environment])
            assert_no_deprecation_warning(run)
            return {
                unit.relative_to(adopted.live).as_posix(): json.loads(
                    terragrunt(["show", "-json", "tfplan"], unit, envs[environment]).stdout
                )
                for unit in unit_dirs(env_dir)
            }

        # Environments are apart (an account, its state buckets and units each): planned at once.
        with ThreadPoolExecutor(max_workers=len(envs)) as pool:
            plans = {unit: plan for found in pool.map(planned, envs) for unit, plan in found.items()}
    return plans, {unit.unit: unit for units in seeded.values() for unit in units}


def test_every_unit_of_the_copy_plans_the_whole_warmer_on_its_renamed_tables_in_its_region(adopted, copy_plans):
    plans, seeded = copy_plans
    found: dict[str, Seeded] = seeded
    assert sorted(plans) == sorted(found)
    assert {unit.split("/")[0] for unit in plans} == {e.name for e in environments(adopted.live)}
    package = base64_sha256(build_zip(adopted.copy / "lambda_function"))

    for unit, plan in plans.items():
        region = unit_region(adopted.live / unit)
        environment = unit.split("/")[0]
        if environment == adopted.moved:
            assert region == adopted.moved_to, unit
        if environment == adopted.added.name:
            assert region == adopted.added.regions[0], unit
        provider = plan["configuration"]["provider_config"]["aws"]["expressions"]["region"]["constant_value"]
        assert provider == region == found[unit].region, unit

        changes = plan["resource_changes"]
        created = sorted(c["address"] for c in changes if c["change"]["actions"] == ["create"])
        assert [a for a in created if not a.startswith(("aws_sns_topic", "aws_ssm_parameter.config"))] == (
            WARMER_RESOURCES
        ), unit
        assert [c["address"] for c in changes if c["change"]["actions"] not in (["create"], ["read"])] == [], unit
        roles = [c["change"]["after"]["name"] for c in changes if c["type"] == "aws_iam_role"]
        assert roles and all(name.endswith(f"-{region}") for name in roles), (unit, roles)

        function = next(c for c in changes if c["address"] == "aws_lambda_function.this")
        assert function["change"]["after"]["source_code_hash"] == package, unit
        config = planned_config(changes, function["change"]["after"]["environment"][0]["variables"])
        assert [t["name"] for t in config["tables"]] == list(found[unit].listed), unit
        assert all(p.startswith(PREFIX) for p in config.get("patterns") or []), (unit, config)
        # What the unit's configuration resolves to in its account and region: every listed table and
        # every one a pattern finds, all renamed.
        resolved = plan["planned_values"]["outputs"]["resolved_tables"]["value"]
        assert sorted(resolved) == sorted(found[unit].expected), unit
        assert all(table.startswith(PREFIX) for table in resolved), (unit, resolved)
    added = [unit for unit in plans if unit.startswith(f"{adopted.added.name}/")]
    assert [sorted(plans[u]["planned_values"]["outputs"]["resolved_tables"]["value"]) for u in added] == [
        [f"{PREFIX}{adopted.added.name}-orders"]
    ]
