"""Target tracking on a consumed-capacity minute series, the way DynamoDB auto scaling documents it.

Pure arithmetic over one dimension's series, so `advise` can price "what would
provisioned capacity with a working scale-in cost" and the rules can be tested
without an account. The rules, with their sources:

1. Scale out: "Auto scaling triggers when your consumed capacity breaches the
   configured target utilization for two consecutive minutes." Scale in: "a
   scale down event can occur when 15 consecutive data points are lower than
   the target utilization."
   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
   The alarms target tracking creates say how far below: AlarmLow's threshold is
   20 points under the target ("decreases provisioned capacity when utilization is
   20% or more below the target for 15 consecutive minutes",
   https://repost.aws/knowledge-center/dynamodb-auto-scaling; this project's
   doctor reads the same threshold off real AlarmLow alarms: ddb_warmer/ops/alarm_model.py).
2. The new capacity: target tracking sets capacity so that the metric sits at the
   target value: consumed / target ("Application Auto Scaling uses a target
   tracking algorithm to adjust the provisioned throughput ... so that the actual
   capacity utilization remains at or near your target utilization", the
   AutoScaling page above), clipped to the scalable target's MinCapacity and
   MaxCapacity. Here it is computed from the highest minute the alarm evaluated
   (2 for a scale out, 15 for a scale in), rounded up to whole units.
3. Missing data: alarms on AWS/DynamoDB ignore it and keep their state (alarm_model.py,
   rule 1), so a minute without a datapoint neither counts towards nor breaks a run.
4. Decreases: DynamoDB's quota (4 in the first hour of a UTC day, then 1 an hour,
   27 a day; table and each GSI apart), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html,
   applied with alarm_model.decrease_quota. An alarm that stays in ALARM keeps
   asking, so the decrease happens as soon as the quota allows.
5. Burst capacity: "DynamoDB currently retains up to 5 minutes (300 seconds) of
   unused read and write capacity", used when demand exceeds the provisioned rate
   (https://repost.aws/knowledge-center/dynamodb-spiky-workloads-short-intervals, which
   also says burst is best effort; the guide's page: burst-adaptive-capacity.html).
   A minute whose demand exceeds provisioned capacity plus what burst has left is
   counted as throttled: the option does not keep headroom there.

Simplification, said once: a new capacity applies from the next minute (UpdateTable
takes "several minutes" in AWS, during which requests above the old capacity are
throttled); the simulator is therefore slightly optimistic after a scale out, and
throttled minutes are a lower bound.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from ddb_warmer.ops.alarm_model import EVALUATION_PERIODS, decrease_quota

SCALE_OUT_PERIODS = 2  # rule 1: AlarmHigh, 2 of 2 one-minute datapoints
SCALE_IN_PERIODS = EVALUATION_PERIODS  # rule 1: AlarmLow, 15 of 15
SCALE_IN_MARGIN_POINTS = 20  # rule 1: AlarmLow's threshold is the target minus 20 points
BURST_SECONDS = 300  # rule 5


@dataclass(frozen=True)
class Scaling:
    """A scalable target and its target-tracking policy."""

    min_capacity: int
    max_capacity: int
    target_value: float  # percent, 20 to 90


@dataclass(frozen=True)
class Simulation:
    provisioned: list[int]  # capacity in force during each minute
    throttled_minutes: int  # minutes whose demand exceeded capacity plus burst (rule 5)
    scale_outs: int
    scale_ins: int
    decreases_refused: int  # scale-ins the decrease quota postponed (rule 4)

    @property
    def mean_provisioned(self) -> float:
        return sum(self.provisioned) / len(self.provisioned) if self.provisioned else 0.0


def needed_capacity(rate_per_second: float, target_value: float) -> int:
    """Capacity at which `rate_per_second` sits at the target utilisation (rule 2), whole units, at least 1."""
    return max(1, math.ceil(rate_per_second / (target_value / 100) - 1e-9))


def simulate(consumed: Sequence[float | None], start: dt.datetime, initial: int, scaling: Scaling) -> Simulation:
    """Run target tracking over `consumed`: one Sum per minute (capacity units), oldest first, None
    where no datapoint was published; `start` is the first minute, `initial` the capacity then."""
    provisioned = min(max(initial, scaling.min_capacity), scaling.max_capacity)
    target, low_bound = scaling.target_value, scaling.target_value - SCALE_IN_MARGIN_POINTS
    # The runs the two alarms evaluate: AlarmHigh needs the last 2 datapoints above the target (their
    # count and the previous one's rate suffice), AlarmLow the last 15 below the target minus 20 points.
    high_count, high_last = 0, 0.0
    low_run: deque[float] = deque(maxlen=SCALE_IN_PERIODS)
    decreases_today, last_decrease = 0, None
    burst = full = float(provisioned * BURST_SECONDS)
    series: list[int] = []
    append = series.append
    throttled, outs, ins, refused = 0, 0, 0, 0
    for minute, total in enumerate(consumed):
        append(provisioned)
        rate = 0.0 if total is None else total / 60
        # Rule 5: capacity unused this minute fills the burst bucket; demand above capacity drains it.
        spare = (provisioned - rate) * 60
        if spare >= 0:
            burst += spare
            if burst > full:
                burst = full
        elif burst >= -spare:
            burst += spare
        else:
            burst, throttled = 0.0, throttled + 1
        if total is None:
            continue  # rule 3: the alarms keep their state and their runs
        utilisation = 100 * rate / provisioned
        if utilisation > target:
            peak = max(high_last, rate) if high_count else rate
            high_count, high_last = high_count + 1, rate
        else:
            high_count = 0
        if utilisation < low_bound:
            low_run.append(rate)
        else:
            low_run.clear()
        if high_count >= SCALE_OUT_PERIODS:
            wanted = min(needed_capacity(peak, target), scaling.max_capacity)
            if wanted > provisioned:  # increases have no quota
                provisioned, outs = wanted, outs + 1
                full = provisioned * BURST_SECONDS
                burst = min(burst, full)
            high_count = 0
            low_run.clear()
        elif len(low_run) >= SCALE_IN_PERIODS:
            wanted = max(needed_capacity(max(low_run), target), scaling.min_capacity)
            if wanted < provisioned:
                now = start + dt.timedelta(minutes=minute)
                if last_decrease is not None and last_decrease.date() != now.date():
                    decreases_today = 0
                if decrease_quota(decreases_today, last_decrease, now).allowed:
                    provisioned, ins = wanted, ins + 1
                    decreases_today, last_decrease = decreases_today + 1, now
                    full = provisioned * BURST_SECONDS
                    burst = min(burst, full)
                    low_run.clear()
                else:
                    refused += 1  # still in ALARM: asked again next minute
            else:
                low_run.clear()
            high_count = 0
    return Simulation(series, throttled, outs, ins, refused)
