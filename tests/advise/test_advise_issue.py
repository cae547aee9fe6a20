"""The weekly advise issue's script, called directly on moto's tables and the fake GitHub: advice per region
written by the AWS half, the issue opened, updated in place and closed by the GitHub half, and its charts
parsed as Mermaid. (The workflow's steps call it per environment in tests/ci/test_advise_workflow.py.)"""

from __future__ import annotations

import json

import pytest

from ddb_warmer.ci import advise_issue
from ddb_warmer.ci.advise_issue_body import MAX_BODY, issue_body
from ddb_warmer.ops import cli
from tests.ci.fake_github import fake_github

from .conftest import NOW, REGION, auto_scale, consumed, create_table
from .mermaid_xychart import NotAChart, blocks, parse
from .test_both_directions import create_on_demand

ENVIRONMENT = "dev"


@pytest.fixture
def github():
    with fake_github() as (client, state):
        yield client, state


def advice_of_the_region(folder, capsys, monkeypatch) -> None:
    """What the AWS half writes for a region: advise's JSON for every table of it, at the fixtures' NOW."""
    advise_now = cli.run_advise

    def at_now(args, clients):
        args.now = NOW
        return advise_now(args, clients)

    folder.mkdir(exist_ok=True)
    capsys.readouterr()
    with monkeypatch.context() as patched:
        patched.setattr(cli, "runner", lambda command: at_now)
        code = cli.main(["advise", "--region", REGION, "--days", "1", "--json"])
    assert code == cli.OK
    (folder / f"{REGION}.json").write_text(capsys.readouterr().out)


def keep_issue(client, folder) -> int:
    return advise_issue.issue_from(client, ENVIRONMENT, (REGION,), folder)


def our_issues(state) -> list[dict]:
    marker = advise_issue.issue_marker(ENVIRONMENT)
    return [i for i in state["issues"] if marker in i["body"] and advise_issue.LABEL in i.get("labels", [])]


def test_the_issue_is_opened_with_its_savings_and_charts_updated_in_place_and_closed_when_nothing_is_left(
    account, github, tmp_path, capsys, monkeypatch
):
    client, state = github
    create_on_demand(account, "steady-od")
    consumed(account, "steady-od", "write", dict.fromkeys(range(1440), 60 * 60.0))  # cheaper provisioned
    create_table(account, "idle", read=5, write=5)  # cheaper on-demand
    auto_scale(account, "idle", "write", 5, 100)

    advice_of_the_region(tmp_path / "1", capsys, monkeypatch)
    assert keep_issue(client, tmp_path / "1") == 0

    [issue] = our_issues(state)
    assert issue["state"] == "open" and issue["title"].startswith("advise: $")
    assert issue["title"].endswith("a month to save in live/dev")
    body = issue["body"]
    assert "| us-east-1 | `steady-od` | on-demand | switch the table to provisioned, auto scaled and warmed |" in body
    assert "| us-east-1 | `idle` | provisioned | switch the table to on-demand |" in body
    assert "register auto scaling on table write: MinCapacity 86, MaxCapacity 172, target 70 %" in body
    assert "MaxWriteRequestUnits" in body  # the cap of the table that goes on-demand
    charts = [parse(source) for source in blocks(body)]
    assert [c.title for c in charts] == ["steady-od: table write", "idle: table write"]
    steady = charts[0]
    assert len(steady.x_labels) == 24 and steady.bars == [[60.0] * 24]  # 60 WCU/s, an hour a point
    assert steady.lines == [[86.0] * 24]  # the recommended provisioned capacity (no line for today: on-demand)
    idle = charts[1]
    assert idle.lines[0] == [5.0] * 24 and idle.lines[1] == [10.0] * 24  # today's 5 WCU, then the cap

    # The team follows the advice on the idle table (on-demand now): the same issue, without it.
    account["dynamodb"].update_table(TableName="idle", BillingMode="PAY_PER_REQUEST")
    advice_of_the_region(tmp_path / "2", capsys, monkeypatch)
    assert keep_issue(client, tmp_path / "2") == 0
    [updated] = our_issues(state)
    assert updated["number"] == issue["number"] and updated["state"] == "open"
    assert "`idle`" not in updated["body"] and "`steady-od`" in updated["body"]

    # ... and on steady-od (provisioned, auto scaled as advised): nothing left to save, the issue is closed.
    account["dynamodb"].update_table(
        TableName="steady-od",
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 86},
    )
    auto_scale(account, "steady-od", "write", 86, 172)
    advice_of_the_region(tmp_path / "3", capsys, monkeypatch)
    assert keep_issue(client, tmp_path / "3") == 0
    [closed] = our_issues(state)
    assert closed["number"] == issue["number"] and closed["state"] == "closed"
    comment = [c["body"] for c in state["comments"] if c["issue"] == issue["number"]]
    assert comment and comment[0].startswith("Nothing is left to save in `live/dev`")


def test_a_region_without_its_advice_leaves_the_issue_as_it_was(github, tmp_path, capsys):
    client, state = github

    assert keep_issue(client, tmp_path) == advise_issue.COULD_NOT_CHECK
    assert state["issues"] == [] and "no advice for live/dev in us-east-1" in capsys.readouterr().err


def test_a_fleets_issue_stays_under_githubs_body_limit_and_says_how_many_rows_it_left_out():
    table = {
        "table": "t" * 40, "billing": "provisioned", "recommendation": "on-demand", "today_month": 3.0,
        "recommended_month": 1.0, "saving_month": 2.0, "reason": "r" * 200, "steps": ["s" * 300, "s" * 300],
    }  # fmt: skip
    report = {
        "tables": [{**table, "table": f"table-{n:04}"} for n in range(1000)],
        "mermaid": {f"table-{n:04}": "xychart-beta" for n in range(1000)},
        "start": "2026-11-13T12:00:00+00:00", "minutes": 20160, "days": 14, "prices_as_of": "2024-11-01",
        "notes": ["reserved capacity is not considered"],
    }  # fmt: skip

    body = issue_body("<!-- m -->", "prod", {"us-east-1": report})

    assert len(body) <= MAX_BODY
    shown = body.count("| us-east-1 | `table-")
    assert 0 < shown < 1000 and f"and {1000 - shown} more table(s) with a smaller saving" in body


def test_a_chart_that_is_not_xychart_is_refused_by_the_reader():
    with pytest.raises(NotAChart):
        parse('xychart-beta\n title "x"\n x-axis ["a", "b"]\n y-axis "u" 0 --> 10\n bar [1, 2, 3]')
    with pytest.raises(NotAChart):
        parse('xychart-beta\n title "x"\n x-axis ["a"]\n y-axis "u" 0 --> 10\n line [11]')


def test_the_list_of_environments_is_json(capsys):
    assert advise_issue.main(["--list"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_an_unknown_environment_is_refused_in_one_line(capsys):
    assert advise_issue.main(["--environment", "no-such-environment", "--advise-to", "x"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: no environment 'no-such-environment' under live/") and error.count("\n") == 1
