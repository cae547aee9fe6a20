"""`ddb-warmer prove` on the emulator: what it creates, that it warms each minute as the function does,
the timeline it prints, and that its table is deleted however the run ends. (Scale-in itself, CloudWatch
evaluating AlarmLow and Application Auto Scaling lowering capacity, happens only on AWS.)"""

from __future__ import annotations

import datetime as dt

import pytest

from ddb_warmer.ops import cli, prove
from ddb_warmer.ops.aws import make_clients

pytestmark = pytest.mark.slow


def table_gone(clients, name: str) -> bool:
    targets = clients["application-autoscaling"].describe_scalable_targets(
        ServiceNamespace="dynamodb", ResourceIds=[f"table/{name}"]
    )["ScalableTargets"]
    return name not in clients["dynamodb"].list_tables()["TableNames"] and targets == []


def test_a_run_warms_the_table_each_minute_prints_its_timeline_and_deletes_it(emulator):
    clients = make_clients(emulator.region)
    shown, sleeps = [], []

    scaled_in, timeline = prove.prove(clients, "prove-timeline", minutes=3, show=shown.append, sleep=sleeps.append)

    assert not scaled_in  # the emulator never lowers capacity
    events = [what for _, what in timeline.events]
    assert events[0] == "table prove-timeline ready, read/write 10/10 (targets' minimum 1)"
    assert "first datapoint (read)" in events and "first datapoint (write)" in events
    assert events[-1] == "table prove-timeline deleted"
    assert len(sleeps) == 2 and all(0 < s <= 60 for s in sleeps)  # a tick at the start of each minute
    assert all(" (+0 min) " in line for line in shown)
    assert table_gone(clients, "prove-timeline")


def test_an_interrupted_run_still_deletes_its_table(emulator):
    clients = make_clients(emulator.region)

    def interrupt(_seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        prove.prove(clients, "prove-interrupted", minutes=5, show=lambda _: None, sleep=interrupt)

    assert table_gone(clients, "prove-interrupted")


def test_without_yes_create_table_it_creates_nothing_and_says_what_it_costs(emulator, capsys):
    before = make_clients(emulator.region)["dynamodb"].list_tables()["TableNames"]

    code = cli.main(["prove", "--region", emulator.region])

    assert code == cli.USAGE
    err = capsys.readouterr().err
    assert "creates a provisioned DynamoDB table" in err and "Run it again with --yes-create-table." in err
    assert make_clients(emulator.region)["dynamodb"].list_tables()["TableNames"] == before


def test_the_cost_is_the_provisioned_capacity_for_the_minutes_asked():
    # 10 RCU + 10 WCU in us-east-1 for 40 minutes: 10 x (0.00013 + 0.00065) x 40 / 60.
    assert prove.cost("us-east-1", 40) == pytest.approx(0.0052)
    assert prove.table_name(dt.datetime(2026, 12, 6, 5, 0, 1)) == "ddb-warmer-prove-20261206050001"
