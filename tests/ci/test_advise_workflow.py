"""The weekly advise workflow's script, called as its two jobs call it for each environment, on the emulator and
the fake GitHub: one issue per environment of the job's checkout (the fixture tree tests/ci/fixtures/workflow-live:
dev, staging and a two-region prod, in three accounts), opened while a table has a saving, updated in place as
the emulator's series change, and closed once nothing is left to save; its charts parsed as Mermaid. The AWS
half holds the plan role of the environment's own account and no GitHub token; the GitHub half no AWS
credentials at all.

Every table of every region is advised (`--every-table`), so the test arranges every table there: the fixture's
idle provisioned ledgers save by going on-demand until they get steady traffic at 60 % of their capacity; an
on-demand table busy every minute in the first environment saves by going provisioned until it is switched as
advised. One day of history (ADVISE_DAYS, which the workflow sets to 14) keeps the emulator quick.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import boto3
import pytest

from ddb_warmer.build.live import Environment, environments
from ddb_warmer.ci.advise_issue import LABEL, issue_marker
from ddb_warmer.local.seed import add_auto_scaling
from ddb_warmer.ops.inventory import table_dimensions
from tests.advise.mermaid_xychart import blocks, parse
from tests.ci.fake_github import issues_by_environment
from tests.ci.workflow_fixture import FIXTURE, ci_script, github_env, role_env, step_running
from tests.doctor.conftest import put_minutes

pytestmark = pytest.mark.slow

ENVIRONMENTS = environments(FIXTURE)
BUSY = "advise-busy-on-demand"
MINUTES = 1440


def sessions(emulator) -> list[tuple[Environment, str, boto3.Session]]:
    return [(e, region, emulator.session(e.account, region)) for e in ENVIRONMENTS for region in e.regions]


def every_minute(session: boto3.Session, metric: str, dimensions: list[dict], value: float) -> None:
    """A datapoint in each minute of the last day, as DynamoDB publishes a busy table's."""
    cloudwatch, minutes = session.client("cloudwatch"), range(1, MINUTES + 1)
    put_minutes(cloudwatch, "AWS/DynamoDB", metric, dimensions, minutes, value, now=dt.datetime.now(dt.UTC))


def steady_at_60_percent(session: boto3.Session) -> None:
    """Every provisioned table of the region (and its GSIs) busy at 60 % of its capacity: nothing to save."""
    dynamodb = session.client("dynamodb")
    for name in dynamodb.list_tables()["TableNames"]:
        description = dynamodb.describe_table(TableName=name)["Table"]
        if name == BUSY or description.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST":
            continue
        for d in table_dimensions(description):
            metric = f"Consumed{d.kind.title()}CapacityUnits"
            every_minute(session, metric, d.metric_dimensions, 0.6 * (d.provisioned or 1) * 60)


@pytest.fixture
def busy_table(emulator):
    """An on-demand table in the first environment's home region, 60 WCU/s every minute."""
    environment = ENVIRONMENTS[0]
    session = emulator.session(environment.account, environment.regions[0])
    dynamodb = session.client("dynamodb")
    dynamodb.create_table(
        TableName=BUSY,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    every_minute(session, "ConsumedWriteCapacityUnits", [{"Name": "TableName", "Value": BUSY}], 60 * 60.0)
    try:
        yield session
    finally:
        with contextlib.suppress(dynamodb.exceptions.ResourceNotFoundException):
            dynamodb.delete_table(TableName=BUSY)


def weekly_run(checkout, emulator, emulator_env, github, attempt: int) -> None:
    """Each environment's two jobs: `advise` (its script with the plan role of the environment's own account
    and region, no GitHub token), then `issue` (its script with the job's GitHub token and the advice the
    first one uploaded, no AWS credentials)."""
    client, _ = github
    for environment in ENVIRONMENTS:
        advice = f"advice-{attempt}-{environment.name}"
        aws = role_env(emulator, emulator_env, environment.plan_role_arn, environment.regions[0])
        done = ci_script(
            checkout, "advise_issue", "--environment", environment.name, "--advise-to", advice,
            env={**aws, "ADVISE_DAYS": "1"},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        no_aws = {k: v for k, v in emulator_env.items() if not k.startswith("AWS_")}
        done = ci_script(
            checkout, "advise_issue", "--environment", environment.name, "--issue-from", advice,
            env={**no_aws, **github_env(client.api)},
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


def environment_issues(state) -> dict[str, dict]:
    return issues_by_environment(state, LABEL, issue_marker, ENVIRONMENTS)


def test_the_weekly_advise_opens_updates_and_closes_one_issue_per_environment_as_the_series_change(
    emulator, fixture_seeded, busy_table, checkout, emulator_env, github
):
    _, state = github
    first, *others = ENVIRONMENTS
    # The scripts and the inputs of the workflow's two steps (ENVIRONMENT is the leg's environment).
    advise = step_running("advise.yml", "advise", "advise_issue")
    assert advise["run"].endswith('--environment "$ENVIRONMENT" --advise-to advice >> "$GITHUB_STEP_SUMMARY"')
    assert "env" not in advise  # no GitHub token beside the AWS role
    issue = step_running("advise.yml", "issue", "advise_issue")
    assert issue["run"].endswith('--environment "$ENVIRONMENT" --issue-from advice')
    assert issue["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}

    # Idle provisioned ledgers everywhere (on-demand saves), and the busy on-demand table (provisioned saves).
    weekly_run(checkout, emulator, emulator_env, github, 1)
    issues = environment_issues(state)
    assert sorted(issues) == sorted(e.name for e in ENVIRONMENTS)
    assert all(i["state"] == "open" and i["title"].startswith("advise: $") for i in issues.values())
    body = issues[first.name]["body"]
    assert f"`{BUSY}` | on-demand | switch the table to provisioned, auto scaled and warmed |" in body
    assert "register auto scaling on table write: MinCapacity 86, MaxCapacity 172, target 70 %" in body
    charts = [parse(source) for source in blocks(body)]  # every chart of the issue reads as xychart-beta
    busy = next(c for c in charts if c.title == f"{BUSY}: table write")
    assert busy.bars[0][:-1] == [60.0] * (len(busy.bars[0]) - 1)  # the newest point may be partly in the future
    assert busy.lines == [[86.0] * len(busy.x_labels)]

    # The ledgers now busy at 60 %: nothing to save there, the others' issues are closed; the first one's
    # is updated in place to its busy table alone.
    for _, _, session in sessions(emulator):
        steady_at_60_percent(session)
    weekly_run(checkout, emulator, emulator_env, github, 2)
    updated = environment_issues(state)
    assert {e: i["number"] for e, i in updated.items()} == {e: i["number"] for e, i in issues.items()}
    assert all(updated[e.name]["state"] == "closed" for e in others)
    assert updated[first.name]["state"] == "open" and "ledger" not in updated[first.name]["body"]
    assert f"`{BUSY}`" in updated[first.name]["body"]

    # The busy table switched to provisioned with the advised auto scaling: the last issue is closed.
    busy_table.client("dynamodb").update_table(
        TableName=BUSY,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 86},
    )
    add_auto_scaling(busy_table.client("application-autoscaling"), f"table/{BUSY}", "table", ("write",), 86, 172)
    weekly_run(checkout, emulator, emulator_env, github, 3)
    closed = environment_issues(state)[first.name]
    assert closed["state"] == "closed"
    comments = [c["body"] for c in state["comments"] if c["issue"] == closed["number"]]
    assert comments[-1].startswith(f"Nothing is left to save in `live/{first.name}`")
