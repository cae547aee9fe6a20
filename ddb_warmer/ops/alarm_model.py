"""AlarmLow as CloudWatch evaluates it, and DynamoDB's decrease quota, on a minute series.

Pure functions over "which minutes have a datapoint", so the rules can be tested
on series without an account. The rules, with their sources:

1. Missing data is ignored for AWS/DynamoDB metrics.
   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
   (TreatMissingData): "Alarms that evaluate metrics in the AWS/DynamoDB namespace
   always ignore missing data even if you choose a different option for
   TreatMissingData. When an AWS/DynamoDB metric has missing data, alarms that
   evaluate that metric remain in their current state."
2. The evaluation range, and the most recent datapoints in it.
   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
   "CloudWatch attempts to retrieve a higher number of data points than the number
   specified as Evaluation Periods … the evaluation range." and "If some data points
   in the evaluation range are missing, but the total number of existing data points
   … is equal to or more than the alarm's Evaluation Periods, CloudWatch evaluates
   the alarm state based on the most recent real data points that were successfully
   retrieved, including the necessary extra data points from farther back in the
   evaluation range. In this case, the value you set for how to treat missing data
   is not needed and is ignored."
   So AlarmLow (15 periods of 60 s) can change state when its range holds at least
   15 real datapoints; with fewer, missing data is "ignore" and it keeps its state.
3. 15 datapoints: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
   "a scale down event can occur when 15 consecutive data points are lower than the
   target utilization."
4. Publication delay: the same DynamoDB page: "CloudWatch alarms might have a short
   delay of up to a few minutes before triggering auto scaling." A minute that just
   ended may still get its datapoint, so its absence is not a gap yet.
5. Decreases: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
   ("Decreasing provisioned throughput"): "On a given day, you can start by performing
   up to four decreases within one hour as long as you have not performed any other
   decreases yet during that day. Subsequently, you can perform one additional
   decrease per hour as long as there was no decreases in the preceding hour. This
   effectively brings the maximum number of decreases in a day to 27 times".
   Table and GSI limits are decoupled: each GSI has its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EVALUATION_PERIODS = 15  # AlarmLow: 15 one-minute periods (rule 3)
# The guide documents the evaluation range only by example (3 periods -> 5
# datapoints retrieved), not its size for 15 periods. Doctor assumes 20 minutes,
# the window it shows; a range this wide tolerates up to 5 missing minutes.
EVALUATION_RANGE_MINUTES = 20
# Rule 4: AWS documents no figure. The current minute and the 2 complete minutes
# before it are "pending": a datapoint there counts, a missing one is not a gap yet.
PUBLICATION_DELAY_MINUTES = 2

DECREASES_FIRST_HOUR = 4  # rule 5
DECREASES_PER_DAY = 27  # rule 5: 4 in the first hour, then at most 1 an hour


@dataclass(frozen=True)
class Evaluation:
    """What AlarmLow can do with the datapoints it would retrieve now."""

    verdict: str  # OK | WARMING | BLOCKED
    datapoints: int  # real datapoints in the evaluation range (pending minutes included when seen)
    gaps: int  # minutes without a datapoint in the range, pending minutes excluded
    span_minutes: int  # minutes the most recent 15 datapoints spread over (0 when fewer)
    first_fire: dt.datetime | None  # WARMING: when 15 datapoints can first be evaluated
    why: str


def evaluate_alarm_low(
    seen: list[bool],
    end: dt.datetime,
    warmed_since: dt.datetime | None = None,
    delay: int = PUBLICATION_DELAY_MINUTES,
) -> Evaluation:
    """Judge the minute series `seen`: oldest first, one entry per minute, the last one the
    current (incomplete) minute, which ends at `end`.

    `warmed_since`: when the warmer covering this dimension started (None: no warmer
    covers it). `delay`: complete minutes whose datapoint may still be published.
    """
    window = seen[-EVALUATION_RANGE_MINUTES:]
    cut = max(len(window) - delay - 1, 0)
    settled, pending = window[:cut], window[cut:]
    datapoints = sum(window)
    gaps = settled.count(False)
    if datapoints >= EVALUATION_PERIODS:
        positions = [i for i, point in enumerate(window) if point]
        span = len(window) - positions[-EVALUATION_PERIODS]
        return Evaluation(
            "OK",
            datapoints,
            gaps,
            span,
            None,
            f"{datapoints} datapoints in AlarmLow's {len(window)}-minute evaluation range: it evaluates the most "
            f"recent {EVALUATION_PERIODS} (over {span} minutes)",
        )
    if warmed_since is not None:
        minute_starts = [end - dt.timedelta(minutes=len(window) - i) for i in range(len(window))]
        since = [point for start, point in zip(minute_starts, settled, strict=False) if start > warmed_since]
        started_recently = end - warmed_since <= dt.timedelta(minutes=EVALUATION_PERIODS + delay + 1)
        # At least one datapoint: the warmer has reached this dimension at all.
        if started_recently and datapoints and all(since):
            # Pending minutes after the start still get the warmer's datapoint; earlier ones never will.
            pending_starts = minute_starts[len(minute_starts) - len(pending) :]
            coming = sum(
                1 for start, point in zip(pending_starts, pending, strict=True) if not point and start > warmed_since
            )
            first_fire = end + dt.timedelta(minutes=EVALUATION_PERIODS - datapoints - coming)
            return Evaluation(
                "WARMING",
                datapoints,
                0,  # none since the warmer started; the minutes before it are not its gaps
                0,
                first_fire,
                f"{datapoints} of {EVALUATION_PERIODS} minutes with a datapoint so far, none missing since the warmer "
                f"started at {warmed_since:%H:%M} UTC: AlarmLow can first evaluate at {first_fire:%H:%M} UTC",
            )
    return Evaluation(
        "BLOCKED",
        datapoints,
        gaps,
        0,
        None,
        f"{datapoints} datapoint{'' if datapoints == 1 else 's'} in AlarmLow's {len(window)}-minute evaluation "
        f"range, fewer than "
        f"{EVALUATION_PERIODS}: missing data is ignored for AWS/DynamoDB, so AlarmLow keeps its state",
    )


@dataclass(frozen=True)
class DecreaseQuota:
    allowed: bool
    next_allowed: dt.datetime | None  # when not allowed now
    why: str


def decrease_quota(decreases_today: int | None, last_decrease: dt.datetime | None, now: dt.datetime) -> DecreaseQuota:
    """Can DynamoDB decrease this table's (or this GSI's) capacity now? (rule 5)"""
    done = decreases_today or 0
    if last_decrease is not None and last_decrease.date() != now.date():
        done = 0  # the count is per UTC calendar day
    if done < DECREASES_FIRST_HOUR:
        return DecreaseQuota(True, None, f"{done} of the first {DECREASES_FIRST_HOUR} decreases of the day used")
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    if done >= DECREASES_PER_DAY:
        return DecreaseQuota(
            False, tomorrow, f"all {DECREASES_PER_DAY} decreases of today used: the next one at 00:00 UTC"
        )
    if last_decrease is not None and now - last_decrease < dt.timedelta(hours=1):
        after = last_decrease + dt.timedelta(hours=1)
        if after >= tomorrow:
            after = tomorrow
        return DecreaseQuota(
            False,
            after,
            f"{done} decreases today, the last at {last_decrease:%H:%M} UTC: one more an hour after it, "
            f"at {after:%H:%M} UTC",
        )
    return DecreaseQuota(True, None, f"{done} decreases today, none in the last hour: one more is allowed")
