"""`ddb-warmer new-environment` writes every file an environment or a region needs, formatted, and keeps
the promotion order; bad input gets one line saying what to write. On a copy of a fixture tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ddb_warmer.build.live import environment, environments, unit_inputs
from ddb_warmer.build.toolenv import ROOT, TOOLS_BIN
from ddb_warmer.ops import cli

FIXTURE = Path(__file__).parents[1] / "ci" / "fixtures" / "workflow-live"


@pytest.fixture
def live(tmp_path, monkeypatch):
    """A copy of the fixture tree (dev → staging → prod), with Terragrunt on PATH for the formatting."""
    monkeypatch.setenv("PATH", f"{TOOLS_BIN}:{__import__('os').environ['PATH']}")
    target = tmp_path / "live"
    shutil.copytree(FIXTURE, target)
    # A repository as Terragrunt finds it (get_repo_root), to read a unit's inputs.
    shutil.copy(ROOT / "terragrunt.hcl", tmp_path)
    shutil.copytree(ROOT / "live" / "_shared", target / "_shared")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return target


NOTIFY = ("--notify-email", "oncall@example.com")


def new_environment(live: Path, *argv: str) -> int:
    return cli.new_environment.run(cli.parser().parse_args(["new-environment", *argv]), live)


def written(live: Path) -> list[str]:
    return sorted(p.relative_to(live).as_posix() for p in live.rglob("*") if p.is_file())


def test_a_new_environment_in_a_new_account_gets_every_file_and_its_place_in_the_order(live, capsys):
    before = set(written(live))

    code = new_environment(live, "qa", "--account", "444444444444", "--region", "eu-west-1", "--after", "dev", *NOTIFY)

    assert code == 0
    assert sorted(set(written(live)) - before) == [
        "_bootstrap/444444444444/env.hcl",
        "_bootstrap/444444444444/github-oidc/terragrunt.hcl",
        "qa/env.hcl",
        "qa/eu-west-1/region.hcl",
        "qa/eu-west-1/warmer/.terraform.lock.hcl",
        "qa/eu-west-1/warmer/terragrunt.hcl",
    ]
    # qa comes right after dev; staging, which came after dev, now comes after qa.
    assert [e.name for e in environments(live)] == ["dev", "qa", "staging", "prod"]
    qa = environment("qa", live)
    assert (qa.account, qa.regions, qa.apply_after) == ("444444444444", ("eu-west-1",), ("dev",))
    assert qa.plan_role_arn == "arn:aws:iam::444444444444:role/ddb-warmer-bootstrap-github-plan"
    unit = (live / "qa" / "eu-west-1" / "warmer" / "terragrunt.hcl").read_text()
    assert 'table_name_patterns = ["qa-*"]' in unit
    assert 'notifications = { subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }] }' in unit
    out = capsys.readouterr().out
    assert "promotion order: dev -> qa -> staging -> prod" in out
    assert "Settings > Environments > New environment: 'qa'" in out
    assert "cd live/_bootstrap/444444444444/github-oidc && DDB_WARMER_GITHUB_REPOSITORY=" in out


def test_the_written_files_are_formatted(live):
    new_environment(live, "qa", "--account", "444444444444", "--region", "eu-west-1", "--region", "us-east-1", *NOTIFY)

    done = subprocess.run(
        [str(TOOLS_BIN / "terragrunt"), "hcl", "fmt", "--check", "--working-dir", str(live)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_several_regions_get_a_unit_each_and_an_existing_account_no_second_bootstrap(live):
    # The fixture's accounts have no bootstrap unit yet: the first environment added in one writes it.
    new_environment(live, "qa", "--account", "111111111111", "--region", "eu-west-1", *NOTIFY)
    bootstrap = (live / "_bootstrap" / "111111111111" / "env.hcl").read_text()

    code = new_environment(
        live,
        "perf",
        "--account",
        "111111111111",
        "--region",
        "eu-west-1",
        "--region",
        "us-east-1",
        "--table",
        "t1",
        *NOTIFY,
    )

    assert code == 0
    perf = environment("perf", live)
    assert perf.regions == ("eu-west-1", "us-east-1") and perf.apply_after == ("qa",)  # default: after the last
    assert (live / "perf" / "us-east-1" / "warmer" / "terragrunt.hcl").is_file()
    assert (
        'tables              = [{ name = "t1" }]'
        in (live / "perf" / "eu-west-1" / "warmer" / "terragrunt.hcl").read_text()
    )
    assert (live / "_bootstrap" / "111111111111" / "env.hcl").read_text() == bootstrap
    assert len(list((live / "_bootstrap").iterdir())) == 1
    assert [e.name for e in environments(live)][-1] == "perf"


def test_a_region_added_to_an_environment_leaves_its_units_where_they_are(live):
    unit = (live / "dev" / "warmer" / "terragrunt.hcl").read_text()

    assert new_environment(live, "dev", "--region", "us-west-2", "--notify-topic", WEST_TOPIC) == 0

    assert sorted(environment("dev", live).regions) == ["eu-central-1", "us-west-2"]
    assert (live / "dev" / "warmer" / "terragrunt.hcl").read_text() == unit  # same path, same state key
    assert (live / "dev" / "us-west-2" / "region.hcl").is_file()
    assert (
        f'notifications = {{ topic_arn = "{WEST_TOPIC}" }}'
        in (live / "dev" / "us-west-2" / "warmer" / "terragrunt.hcl").read_text()
    )
    assert WEST_TOPIC in (live / "dev" / "env.hcl").read_text()  # listed for its apply role


TOPIC = "arn:aws:sns:eu-central-1:111111111111:dev-alerts"
WEST_TOPIC = "arn:aws:sns:us-west-2:111111111111:dev-alerts"


def test_a_region_added_takes_the_environments_own_include_and_its_destination_from_there(live):
    subscriptions = {"subscriptions": [{"protocol": "email", "endpoint": "oncall@example.com"}]}
    destination = '{ subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }] }'
    (live / "prod" / "warmer.hcl").write_text(f"inputs = {{\n  notifications = {destination}\n}}\n")
    first = live / "prod" / "eu-west-1" / "warmer" / "terragrunt.hcl"
    prod_include = 'include "prod" {\n  path = "${get_repo_root()}/live/prod/warmer.hcl"\n}\n'
    first.write_text(first.read_text().replace("inputs = {", prod_include + "\ninputs = {", 1))

    assert new_environment(live, "prod", "--region", "ap-southeast-2") == 0

    added = live / "prod" / "ap-southeast-2" / "warmer"
    assert prod_include in (added / "terragrunt.hcl").read_text()
    # Not written again: changed in live/prod/warmer.hcl, it changes for the new region too.
    assert "notifications" not in (added / "terragrunt.hcl").read_text()
    assert unit_inputs(added)["notifications"] == subscriptions


def test_a_region_added_without_a_destination_sends_its_alarms_where_the_environments_go(live):
    destination = '{ subscriptions = [{ protocol = "email", endpoint = "oncall@example.com" }] }'
    unit = live / "dev" / "warmer" / "terragrunt.hcl"
    unit.write_text(unit.read_text().replace("inputs = {", f"inputs = {{\n  notifications = {destination}", 1))

    assert new_environment(live, "dev", "--region", "us-west-2") == 0

    added = (live / "dev" / "us-west-2" / "warmer" / "terragrunt.hcl").read_text()
    assert f"notifications = {destination}" in added


def test_a_region_added_to_an_environment_whose_alarms_go_to_a_topic_asks_for_a_topic_of_that_region(live, capsys):
    unit = live / "dev" / "warmer" / "terragrunt.hcl"
    unit.write_text(
        unit.read_text().replace("inputs = {", f'inputs = {{\n  notifications = {{ topic_arn = "{TOPIC}" }}', 1)
    )

    assert new_environment(live, "dev", "--region", "us-west-2") == 2

    assert (
        f"dev's alarms go to {TOPIC}, a topic in eu-central-1: an alarm in us-west-2 notifies only a topic of "
        "us-west-2; give one with --notify-topic arn:aws:sns:us-west-2:111111111111:<topic>"
    ) in capsys.readouterr().err
    assert not (live / "dev" / "us-west-2").exists()


def test_a_multi_region_environment_gets_each_region_its_own_topic(live):
    east = "arn:aws:sns:us-east-1:444444444444:oncall"
    west = "arn:aws:sns:eu-west-1:444444444444:oncall"
    argv = ["qa", "--account", "444444444444", "--region", "eu-west-1", "--region", "us-east-1"]

    assert new_environment(live, *argv, "--notify-topic", east, "--notify-topic", west, "--table", "t1") == 0

    assert unit_inputs(live / "qa" / "eu-west-1" / "warmer")["notifications"] == {"topic_arn": west}
    assert unit_inputs(live / "qa" / "us-east-1" / "warmer")["notifications"] == {"topic_arn": east}
    # Its apply role may point alarms at both (env.hcl's alarm_topic_arns).
    assert f'alarm_topic_arns = ["{east}", "{west}"]' in (live / "qa" / "env.hcl").read_text()


def test_a_placeholder_pattern_is_marked_to_replace_and_listed_as_still_to_do(live, capsys):
    assert new_environment(live, "qa", "--account", "444444444444", "--region", "eu-west-1", *NOTIFY) == 0

    unit = (live / "qa" / "eu-west-1" / "warmer" / "terragrunt.hcl").read_text()
    assert '# REPLACE: "qa-*" is a placeholder' in unit and 'table_name_patterns = ["qa-*"]' in unit
    todo = capsys.readouterr().out
    assert "replace the placeholder pattern 'qa-*'" in todo
    assert "TF_VAR_github_repository_ids=" in todo and "make test-config" in todo


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Staging", "--account", "444444444444", "--region", "eu-west-1"], "use lower-case letters"),
        (["qa", "--account", "4444", "--region", "eu-west-1"], "give the 12-digit AWS account ID"),
        (["qa", "--account", "444444444444", "--region", "Ireland"], "give an AWS region code, like eu-west-1"),
        (["qa", "--account", "444444444444", "--region", "eu-west-1", "--after", "test"], "no such environment"),
        (["qa", "--region", "eu-west-1"], "give its AWS account with --account"),
        (["prod", "--region", "eu-west-1"], "prod already deploys to eu-west-1: name only new regions"),
        (["prod", "--account", "444444444444", "--region", "sa-east-1"], "leave out --account"),
        (["qa", "--account", "444444444444", "--region", "eu-west-1"], "say where qa's alarms go: --notify-email"),
        (["dev", "--region", "us-west-2"], "say where dev's alarms go"),  # the fixture's dev names none
        ([*NOTIFY[:1], "oncall", "qa", "--account", "444444444444", "--region", "eu-west-1"], "give an email address"),
        (
            ["qa", "--account", "444444444444", "--region", "eu-west-1", "--notify-topic", "alerts"],
            "give an SNS topic ARN",
        ),
        (
            [
                *("qa", "--account", "444444444444", "--region", "eu-west-1", "--region", "us-east-1"),
                *("--notify-topic", "arn:aws:sns:eu-west-1:444444444444:oncall"),
            ],
            "an alarm notifies only a topic of its own region, so give one topic per --region; none for us-east-1",
        ),
    ],
)
def test_bad_input_gets_one_line_that_says_what_to_write_and_writes_nothing(live, capsys, argv, message):
    before = written(live)

    assert new_environment(live, *argv) == 2

    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert written(live) == before
