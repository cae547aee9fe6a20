"""The scheduled doctor workflow's script, called as each environment's doctor job calls it, on the emulator and
the fake GitHub: one issue per environment of the job's checkout (the fixture tree tests/ci/fixtures/workflow-live:
dev, staging and a two-region prod, in three accounts), opened while a dimension is BLOCKED, updated as the
emulator's datapoints change, and closed once every dimension is OK.

Each environment gets, in its own account and in each of its regions, a deployed warmer function naming two
tables of this test; their datapoints there decide the verdicts. Each call holds only the plan role of its
environment's account, as its job does (tests/ci/test_workflow_wiring.py), so it sees that account's functions,
tables and datapoints and no other's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import zipfile

import boto3
import pytest

from ddb_warmer.build.live import Environment, environments
from ddb_warmer.ci.doctor_issue import LABEL, issue_marker
from ddb_warmer.local.seed import TableSpec, seed_table
from tests.ci.fake_github import issues_by_environment
from tests.ci.workflow_fixture import FIXTURE, checkout, ci_script, github, github_env, role_env, step_running

# The job's checkout and the fake GitHub.
__all__ = ["checkout", "github"]

pytestmark = pytest.mark.slow

TABLES = ("doctor-check-a", "doctor-check-b")
ENVIRONMENTS = environments(FIXTURE)  # what the workflow's checkout holds as live/
ROLE = "doctor-workflow-test"


def deployments() -> list[tuple[Environment, str]]:
    """Where a warmer is deployed: every region of every environment, in its account."""
    return [(environment, region) for environment in ENVIRONMENTS for region in environment.regions]


def put_every_minute(session: boto3.Session, table: str) -> None:
    """A datapoint in each of the last 20 minutes, as a warmer (or traffic) leaves them."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    for kind in ("Read", "Write"):
        data = [
            {
                "MetricName": f"Consumed{kind}CapacityUnits",
                "Dimensions": [{"Name": "TableName", "Value": table}],
                "Timestamp": now - dt.timedelta(minutes=m),
                "Value": 1.0,
                "Unit": "Count",
            }
            for m in range(20)
        ]
        session.client("cloudwatch").put_metric_data(Namespace="AWS/DynamoDB", MetricData=data)


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("main.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


@pytest.fixture
def warmers(emulator):
    """{(environment, region): a session in the environment's account and that region}, each holding a warmer
    function configured with this test's two tables, and the tables."""
    accounts = sorted({environment.account for environment in ENVIRONMENTS})
    roles = {
        account: emulator.session(account)
        .client("iam")
        .create_role(RoleName=ROLE, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        for account in accounts
    }
    created: dict[tuple[str, str], boto3.Session] = {}
    try:
        for environment, region in deployments():
            session = emulator.session(environment.account, region)
            # Some other table's traffic: the account's region publishes DynamoDB metrics, so doctor judges
            # datapoints (where there are none at all, it says UNKNOWN rather than BLOCKED).
            put_every_minute(session, "doctor-check-other-traffic")
            for table in TABLES:
                seed_table(
                    session.client("dynamodb"), session.client("application-autoscaling"), TableSpec(table, ("pk", "S"))
                )
            session.client("lambda").create_function(
                FunctionName=f"ddb-warmer-{environment.name}-warmer",
                Runtime="python3.13",
                Role=roles[environment.account],
                Handler="main.handler",
                Code={"ZipFile": package()},
                Environment={"Variables": {"WARMER_CONFIG": json.dumps({"tables": [{"name": t} for t in TABLES]})}},
            )
            created[(environment.name, region)] = session
        yield created
    finally:
        for (name, _), session in created.items():
            session.client("lambda").delete_function(FunctionName=f"ddb-warmer-{name}-warmer")
        for environment, region in deployments():
            dynamodb = emulator.session(environment.account, region).client("dynamodb")
            for table in TABLES:
                with contextlib.suppress(dynamodb.exceptions.ResourceNotFoundException):
                    dynamodb.delete_table(TableName=table)
        for account in accounts:
            emulator.session(account).client("iam").delete_role(RoleName=ROLE)


def scheduled_run(checkout, emulator, emulator_env, github) -> dict[str, str]:
    """Each environment's doctor job: its script, with the plan role of the environment's own account and
    region, and the job's GitHub token; {environment: what it printed}."""
    client, _ = github
    printed = {}
    for environment in ENVIRONMENTS:
        env = role_env(emulator, emulator_env, environment.plan_role_arn, environment.regions[0])
        done = ci_script(
            checkout, "doctor_issue", "--environment", environment.name, env={**env, **github_env(client.api)}
        )
        assert done.returncode == 0, done.stdout + done.stderr
        printed[environment.name] = done.stdout
    return printed


def environment_issues(state) -> dict[str, dict]:
    return issues_by_environment(state, LABEL, issue_marker, ENVIRONMENTS)


def blocked_title(environment: Environment, tables: int) -> str:
    # Each table's read and write, in each region of the environment.
    return f"doctor: {tables * 2 * len(environment.regions)} dimension(s) of live/{environment.name} cannot scale in"


def test_the_scheduled_doctor_opens_updates_and_closes_one_issue_per_environment_from_its_account(
    warmers, checkout, emulator, emulator_env, github
):
    _, state = github
    # The script and the inputs of the workflow's step (ENVIRONMENT is the leg's environment).
    step = step_running("doctor.yml", "doctor", "doctor_issue")
    assert step["run"].endswith('-m ddb_warmer.ci.doctor_issue --environment "$ENVIRONMENT" >> "$GITHUB_STEP_SUMMARY"')
    assert step["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    first_env, *others = ENVIRONMENTS
    assert others and len({e.account for e in ENVIRONMENTS}) == len(ENVIRONMENTS), "the fixture's accounts"

    # No datapoint for either table anywhere: both BLOCKED in every region of every environment.
    scheduled_run(checkout, emulator, emulator_env, github)
    issues = environment_issues(state)
    assert sorted(issues) == sorted(e.name for e in ENVIRONMENTS) and all(i["state"] == "open" for i in issues.values())
    for environment in ENVIRONMENTS:
        issue = issues[environment.name]
        assert issue["title"] == blocked_title(environment, len(TABLES))
        assert all(f"`{region}` · `{t}` table read" in issue["body"] for region in environment.regions for t in TABLES)

    # Table a now gets a datapoint every minute everywhere; table b only in the first environment's account.
    # One run then updates the other environments' issues (b is left) and closes the first one's: each job
    # judged its own account's datapoints (the first environment shares a region with another).
    for (name, _), session in warmers.items():
        put_every_minute(session, TABLES[0])
        if name == first_env.name:
            put_every_minute(session, TABLES[1])
    second = scheduled_run(checkout, emulator, emulator_env, github)
    updated = environment_issues(state)
    assert {e: i["number"] for e, i in updated.items()} == {e: i["number"] for e, i in issues.items()}
    for environment in others:
        issue = updated[environment.name]
        assert issue["state"] == "open" and issue["title"] == blocked_title(environment, 1)
        assert f"`{TABLES[0]}`" not in issue["body"] and f"`{TABLES[1]}` table read" in issue["body"]
    closed = updated[first_env.name]
    assert closed["state"] == "closed", second[first_env.name]
    comments = {c["issue"]: c["body"] for c in state["comments"]}
    assert f"Every dimension of `live/{first_env.name}` is OK" in comments[closed["number"]]
    assert all(updated[e.name]["number"] not in comments for e in others)
