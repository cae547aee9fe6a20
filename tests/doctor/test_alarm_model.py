"""AlarmLow's evaluation and DynamoDB's decrease quota, on minute series (ddb_warmer/ops/alarm_model.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from ddb_warmer.ops.alarm_model import decrease_quota, evaluate_alarm_low

# The series end with the current minute, 12:00-12:01, still running.
END = dt.datetime(2026, 11, 27, 12, 1, tzinfo=dt.UTC)


def series(minutes: int, every: int = 1, gaps: tuple[int, ...] = ()) -> list[bool]:
    """`minutes` entries, oldest first; entry i (counted from the newest, 0) has a datapoint when i % every == 0."""
    return [i % every == 0 and i not in gaps for i in reversed(range(minutes))]


def test_a_datapoint_every_minute_lets_alarm_low_evaluate():
    result = evaluate_alarm_low(series(20), END)

    assert result.verdict == "OK"
    assert result.span_minutes == 15


def test_a_datapoint_every_five_minutes_leaves_alarm_low_in_its_state():
    result = evaluate_alarm_low(series(20, every=5), END)

    assert result.verdict == "BLOCKED"
    assert result.datapoints == 4
    assert "missing data is ignored" in result.why


def test_one_gap_in_twenty_minutes_is_ok_because_the_most_recent_fifteen_datapoints_are_evaluated():
    # The documented rule: enough real datapoints in the evaluation range -> the most
    # recent 15 are evaluated, reaching farther back over the gap.
    result = evaluate_alarm_low(series(20, gaps=(7,)), END)

    assert result.verdict == "OK"
    assert result.gaps == 1
    assert result.span_minutes == 16


def test_six_gaps_in_the_evaluation_range_block_it():
    result = evaluate_alarm_low(series(20, gaps=(4, 6, 8, 10, 12, 14)), END)

    assert result.verdict == "BLOCKED"
    assert result.datapoints == 14


def test_minutes_still_being_published_are_not_gaps():
    # The current minute and the two before it have no datapoint yet.
    result = evaluate_alarm_low(series(20, gaps=(0, 1, 2)), END)

    assert result.gaps == 0
    assert result.verdict == "OK"  # 17 settled datapoints are enough


def test_a_warmer_deployed_three_minutes_ago_is_warming_and_says_when_alarm_low_can_fire():
    seen = [False] * 17 + [True] * 3  # ticks in the last 3 minutes, nothing before
    started = END - dt.timedelta(minutes=3, seconds=30)

    result = evaluate_alarm_low(seen, END, warmed_since=started)

    assert result.verdict == "WARMING"
    assert result.datapoints == 3
    assert result.first_fire == END + dt.timedelta(minutes=12)
    assert "3 of 15 minutes" in result.why


def test_the_same_datapoints_without_a_warmer_covering_the_table_are_blocked():
    seen = [False] * 17 + [True] * 3

    assert evaluate_alarm_low(seen, END, warmed_since=None).verdict == "BLOCKED"


def test_a_gap_since_the_warmer_started_is_blocked_not_warming():
    seen = [False] * 14 + [True, True, False, True, True, True]
    started = END - dt.timedelta(minutes=6, seconds=30)

    assert evaluate_alarm_low(seen, END, warmed_since=started).verdict == "BLOCKED"


def test_a_warmer_started_long_ago_without_enough_datapoints_is_blocked():
    seen = [False] * 17 + [True] * 3
    started = END - dt.timedelta(minutes=40)

    assert evaluate_alarm_low(seen, END, warmed_since=started).verdict == "BLOCKED"


NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("done", "last_minutes_ago", "allowed"),
    [
        (0, None, True),
        (3, 5, True),  # the first four may come at any time
        (4, 5, False),  # then one an hour after an hour without decreases
        (4, 61, True),
        (26, 90, True),
        (27, 300, False),  # 27 a day at most
    ],
)
def test_the_decrease_quota_is_four_at_any_time_then_one_an_hour_up_to_27(done, last_minutes_ago, allowed):
    last = None if last_minutes_ago is None else NOON - dt.timedelta(minutes=last_minutes_ago)

    assert decrease_quota(done, last, NOON).allowed is allowed


def test_used_up_decreases_say_when_the_next_one_comes():
    waiting = decrease_quota(5, NOON - dt.timedelta(minutes=20), NOON)
    tomorrow = decrease_quota(27, NOON - dt.timedelta(hours=2), NOON)

    assert waiting.next_allowed == NOON + dt.timedelta(minutes=40)
    assert tomorrow.next_allowed == dt.datetime(2026, 11, 28, tzinfo=dt.UTC)


def test_yesterdays_decreases_do_not_count_today():
    assert decrease_quota(27, NOON - dt.timedelta(days=1), NOON).allowed


def test_a_dimension_the_warmer_has_not_reached_yet_is_not_warming():
    started = END - dt.timedelta(seconds=40)

    assert evaluate_alarm_low([False] * 20, END, warmed_since=started).verdict == "BLOCKED"


def test_a_warmer_deployed_this_minute_can_first_fire_after_fifteen_minutes_of_its_own_datapoints():
    seen = [False] * 19 + [True]  # its first tick, in the current minute
    started = END - dt.timedelta(seconds=50)

    result = evaluate_alarm_low(seen, END, warmed_since=started)

    assert result.verdict == "WARMING"
    assert result.first_fire == END + dt.timedelta(minutes=14)
