"""The target-tracking simulator follows DynamoDB auto scaling's documented rules (scaling_simulator.py)."""

from __future__ import annotations

import datetime as dt

from ddb_warmer.ops.scaling_simulator import Scaling, needed_capacity, simulate

MIDNIGHT = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)  # decreases are counted per UTC day
SCALING = Scaling(min_capacity=1, max_capacity=1000, target_value=70.0)


def per_minute(rate: float, minutes: int) -> list[float]:
    """A Sum per minute for a steady rate in units a second."""
    return [rate * 60] * minutes


def test_scale_out_needs_two_consecutive_minutes_above_target_and_goes_to_consumed_over_target():
    one_minute = per_minute(1, 5) + per_minute(8, 1) + per_minute(1, 5)  # 80 % of 10 for one minute only
    two_minutes = per_minute(1, 5) + per_minute(8, 2) + per_minute(1, 5)
    high_floor = Scaling(10, 1000, 70.0)

    assert simulate(one_minute, MIDNIGHT, 10, high_floor).scale_outs == 0
    result = simulate(two_minutes, MIDNIGHT, 10, high_floor)
    assert result.scale_outs == 1
    # Decided on the 2nd minute above (minute 6), in force from minute 7: 8 / 0.7 = 11.4 -> 12 units.
    assert result.provisioned[6] == 10 and result.provisioned[7] == 12


def test_scale_out_stops_at_max_capacity():
    result = simulate(per_minute(500, 5), MIDNIGHT, 10, Scaling(1, 100, 70.0))
    assert max(result.provisioned) == 100


def test_scale_in_needs_fifteen_consecutive_minutes_below_target_minus_20_points():
    # 40 % of 100 is under 50 % (70 - 20); 60 % is not, and breaks the run.
    fourteen = per_minute(40, 14) + per_minute(60, 1) + per_minute(40, 14)
    fifteen = per_minute(40, 15) + per_minute(40, 5)

    assert simulate(fourteen, MIDNIGHT, 100, SCALING).scale_ins == 0
    result = simulate(fifteen, MIDNIGHT, 100, SCALING)
    assert result.scale_ins == 1
    assert result.provisioned[14] == 100 and result.provisioned[15] == needed_capacity(40, 70.0) == 58


def test_missing_minutes_neither_count_nor_break_a_run_so_an_unwarmed_idle_table_never_scales_in():
    idle = [None] * 600  # DynamoDB publishes nothing for a minute without requests
    assert simulate(idle, MIDNIGHT, 100, SCALING).scale_ins == 0
    assert simulate(idle, MIDNIGHT, 100, SCALING).mean_provisioned == 100

    gappy = per_minute(0.01, 7) + [None] * 30 + per_minute(0.01, 8) + per_minute(0.01, 2)
    result = simulate(gappy, MIDNIGHT, 100, SCALING)
    assert result.scale_ins == 1  # the 15th real datapoint, 30 minutes of gaps later
    assert result.provisioned[7 + 30 + 8] == 1


def test_scale_in_never_goes_below_min_capacity():
    result = simulate(per_minute(0.01, 60), MIDNIGHT, 100, Scaling(25, 1000, 70.0))
    assert min(result.provisioned) == 25


def test_the_fifth_decrease_of_a_day_waits_an_hour_after_the_fourth():
    # Each block of 15 minutes sits at 35 % of the capacity the previous block left: one decrease per block.
    series = per_minute(350, 15) + per_minute(175, 15) + per_minute(87.5, 15) + per_minute(43.75, 15)
    series += per_minute(21, 75)
    result = simulate(series, MIDNIGHT, 1000, SCALING)

    # Four decreases in the first hour (minutes 14, 29, 44, 59): 500, 250, 125, 63.
    assert [result.provisioned[m] for m in (15, 30, 45, 60)] == [500, 250, 125, 63]
    # The fifth is due at minute 74; the quota allows it an hour after the fourth, at minute 119.
    assert result.provisioned[119] == 63 and result.provisioned[120] == 30
    assert result.decreases_refused == 119 - 74
    assert result.scale_ins == 5


def test_burst_capacity_absorbs_a_short_excess_but_not_a_spike():
    fixed = Scaling(10, 10, 70.0)  # no scaling: only the burst bucket (300 s of unused capacity) helps
    short_excess = per_minute(1, 10) + per_minute(15, 5)  # 5 units/s over for 5 minutes: 1,500 of 3,000
    spike = per_minute(1, 10) + per_minute(100, 1)  # 90 units/s over for a minute: 5,400 > 3,000

    assert simulate(short_excess, MIDNIGHT, 10, fixed).throttled_minutes == 0
    assert simulate(spike, MIDNIGHT, 10, fixed).throttled_minutes == 1
