"""`ddb-warmer doctor`: is scale-in unblocked, per table and dimension?

For every dimension (table or GSI x read or write) of the configured tables it
gathers the billing mode, the scalable target and policy, the policy's AlarmLow
alarm, the last minutes of Consumed*CapacityUnits, today's decreases, and the
warmer's own health (its AWS/Lambda Invocations and Errors), then gives a verdict:

- FAILING: the warmer's last tick failed (its AWS/Lambda Errors): whatever the
  datapoints say, the table is not being warmed; the function's last error is
  given when its log events can be read;
- OK: AlarmLow's evaluation range holds its 15 datapoints, the alarm in place;
- WARMING: the warmer started less than 15 minutes ago and no minute since lacks
  a datapoint: AlarmLow can first evaluate in a few minutes;
- BLOCKED (why: too few datapoints, no policy, no AlarmLow alarm, decrease quota used up);
- AT MINIMUM: provisioned at the target's minimum, nothing to scale in;
- NOT NEEDED: on-demand, or no auto scaling target;
- UNKNOWN: the endpoint publishes no DynamoDB metrics at all: the datapoints
  cannot be judged, and are never invented.

How AlarmLow is evaluated, with the documentation it follows: alarm_model.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

import botocore.exceptions

from ddb_warmer.names import dead_letter_queue
from ddb_warmer.ops.alarm_model import DECREASES_PER_DAY, decrease_quota, evaluate_alarm_low
from ddb_warmer.ops.deployment import deployed_config_json, function_log_group
from ddb_warmer.ops.inventory import (
    DimensionState,
    alarms_by_name,
    scalable_targets,
    table_dimensions,
    target_tracking_policies,
)
from lambda_function.config import ConfigError, WarmerConfig, parse_config
from lambda_function.log import METRIC_NAMESPACE
from lambda_function.request_path import STOCK_PATH_METRIC
from lambda_function.schema import schema_from_description

VERDICT_ORDER = ("BLOCKED", "FAILING", "UNKNOWN", "WARMING", "OK", "AT MINIMUM", "NOT NEEDED")


@dataclass
class Warmer:
    function: str | None
    last_successful_tick: str | None = None
    invocations: float = 0.0
    errors: float = 0.0
    dead_letters: int | None = None
    found: bool = True
    started: str | None = None  # when the function was last deployed (LastModified)
    config: WarmerConfig | None = None  # its deployed configuration; None: unreadable, so any table counts
    # Ticks whose warm requests took the stock path (the runtime's botocore lacks an internal
    # of the lean path): each costs more CPU, and the function's WARNING log line says why.
    stock_path_ticks: float = 0.0
    last_tick_failed: bool = False  # the latest minute with invocations had as many errors
    last_error: str | None = None  # the function's last error record, or why it could not be read

    def covers(self, table: str) -> bool:
        """Whether the warmer warms this table: listed, or found by its patterns on each tick."""
        if not self.found:
            return False
        if self.config is None:
            return True
        return any(t.name == table for t in self.config.tables) or self.config.selects(table)

    @property
    def failing(self) -> bool:
        return bool(self.errors) or bool(self.dead_letters)


@dataclass
class Report:
    checked_at: str
    window_minutes: int
    metrics_available: bool
    warmer: Warmer
    dimensions: list[DimensionState]

    @property
    def blocked(self) -> bool:
        """Something cannot scale in: a dimension BLOCKED, or warmed by a warmer whose ticks fail."""
        return any(d.verdict in ("BLOCKED", "FAILING") for d in self.dimensions)

    def as_json(self) -> dict:
        counts = {v: sum(1 for d in self.dimensions if d.verdict == v) for v in VERDICT_ORDER}
        return {
            "checked_at": self.checked_at,
            "window_minutes": self.window_minutes,
            "metrics_available": self.metrics_available,
            "warmer": asdict(self.warmer),
            "verdicts": counts,
            "blocked": self.blocked,
            "dimensions": [
                {
                    **asdict(d),
                    "label": d.label,
                    "strip": strip(d.minutes) if self.metrics_available else None,
                }
                for d in self.dimensions
            ],
        }


def strip(minutes: list[bool]) -> str:
    return "".join("█" if seen else "·" for seen in minutes)


# --- gathering ---------------------------------------------------------------


def minute_window(now: dt.datetime, minutes: int) -> tuple[dt.datetime, dt.datetime]:
    """The last `minutes` minutes up to `now`, the current (incomplete) minute last."""
    end = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return end - dt.timedelta(minutes=minutes), end


def minutes_with_data(cloudwatch, queries: list[tuple[str, str, str, list[dict]]], start, end) -> dict[str, set]:
    """{query id: minute starts with a datapoint}; queries are (id, namespace, metric name, dimensions)."""
    return {query_id: set(sums) for query_id, sums in minute_sums(cloudwatch, queries, start, end).items()}


def minute_sums(cloudwatch, queries: list[tuple[str, str, str, list[dict]]], start, end) -> dict[str, dict]:
    """{query id: {minute start: Sum}}; queries are (id, namespace, metric name, dimensions)."""
    seen: dict[str, dict] = {query[0]: {} for query in queries}
    for first in range(0, len(queries), 500):  # GetMetricData takes at most 500 queries
        batch = [
            {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions},
                    "Period": 60,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
            for query_id, namespace, metric, dimensions in queries[first : first + 500]
        ]
        kwargs = {"MetricDataQueries": batch, "StartTime": start, "EndTime": end}
        while True:
            page = cloudwatch.get_metric_data(**kwargs)
            for result in page["MetricDataResults"]:
                for moment, value in zip(result["Timestamps"], result["Values"], strict=True):
                    minute = moment.replace(second=0, microsecond=0)
                    seen[result["Id"]][minute] = seen[result["Id"]].get(minute, 0.0) + value
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    return seen


def dynamodb_metrics_exist(cloudwatch) -> bool:
    return bool(cloudwatch.list_metrics(Namespace="AWS/DynamoDB").get("Metrics"))


def deployed_config(configuration: dict, ssm=None) -> WarmerConfig | None:
    """A warmer's deployed WARMER_CONFIG (from its environment or its SSM parameters); None if unreadable."""
    try:
        return parse_config(deployed_config_json(configuration, ssm))
    except (ConfigError, ValueError, TypeError, AttributeError):
        return None


def warmer_health(clients, function: str | None, start, end) -> Warmer:
    """The warmer's last minutes from its AWS/Lambda metrics: the same ones its alarm watches."""
    if function is None:
        return Warmer(function=None, found=False)
    cloudwatch, sqs, lambda_client = clients["cloudwatch"], clients["sqs"], clients["lambda"]
    try:
        configuration = lambda_client.get_function_configuration(FunctionName=function)
    except lambda_client.exceptions.ResourceNotFoundException:
        return Warmer(function=function, found=False)
    dimensions = [{"Name": "FunctionName", "Value": function}]
    sums = minute_sums(
        cloudwatch,
        [
            ("invocations", "AWS/Lambda", "Invocations", dimensions),
            ("errors", "AWS/Lambda", "Errors", dimensions),
            # From the tick's summary line, by the module's log metric filter (no dimensions).
            ("stock", f"{METRIC_NAMESPACE}/{function}", STOCK_PATH_METRIC, []),
        ],
        start,
        end,
    )
    invocations, errors = sums["invocations"], sums["errors"]
    # A minute whose invocations outnumber its errors had a tick that succeeded.
    good = [minute for minute, count in invocations.items() if count > errors.get(minute, 0)]
    ticked = [minute for minute, count in invocations.items() if count]
    last_tick_failed = bool(ticked) and max(ticked) not in good
    dead_letters = None
    try:
        url = sqs.get_queue_url(QueueName=dead_letter_queue(function))["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        dead_letters = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    except sqs.exceptions.QueueDoesNotExist:
        pass
    modified = configuration.get("LastModified")
    return Warmer(
        function=function,
        last_successful_tick=max(good).isoformat() if good else None,
        invocations=sum(invocations.values()),
        errors=sum(errors.values()),
        dead_letters=dead_letters,
        started=dt.datetime.fromisoformat(modified).astimezone(dt.UTC).isoformat() if modified else None,
        config=deployed_config(configuration, clients.get("ssm")),
        stock_path_ticks=sum(sums["stock"].values()),
        last_tick_failed=last_tick_failed,
        last_error=(
            last_error(clients["logs"], function_log_group({"FunctionName": function, **configuration}), start, end)
            if last_tick_failed
            else None
        ),
    )


def last_error(logs, group: str, start, end) -> str:
    """The function's last error record in the window, as the python3.13 runtime logs an exception that
    ends an invocation: JSON with errorType and errorMessage (JSON log format), or "[ERROR] Type: message"
    (text). Reading log events is data access, which the plan role is denied: then it says so and how
    to read it with other credentials."""
    read = f"aws logs filter-log-events --log-group-name {group} --filter-pattern errorMessage"
    try:
        events = []
        for page in logs.get_paginator("filter_log_events").paginate(
            logGroupName=group,
            startTime=int(start.timestamp() * 1000),
            endTime=int(end.timestamp() * 1000),
            filterPattern='"errorMessage"',
        ):
            events += page["events"]
    except logs.exceptions.ResourceNotFoundException:
        return f"its log group {group} does not exist"
    except botocore.exceptions.ClientError as error:
        return f"not readable with these credentials ({error.response['Error']['Code']}); read it with `{read}`"
    if not events:
        return f"no error record in {group} in these minutes; read it with `{read}`"
    message = max(events, key=lambda event: event["timestamp"])["message"]
    try:
        record = json.loads(message)
        return f"{record.get('errorType', 'Error')}: {record.get('errorMessage', '')}"
    except ValueError:
        return message.strip().splitlines()[0].removeprefix("[ERROR] ")


# --- verdicts ----------------------------------------------------------------


def _failing(warmer: Warmer) -> str:
    return (
        f"the warmer's last tick failed ({warmer.errors:g} errors in {warmer.invocations:g} invocations): "
        f"{warmer.last_error}"
    )


def _cause(warmer: Warmer) -> str:
    """Why the warmer may be behind the missing datapoints, or ""."""
    if warmer.failing:
        return f"; the warmer is failing ({warmer.errors:g} errors, {warmer.dead_letters or 0} dead letters)"
    if warmer.function and not warmer.found:
        return f"; no warmer function {warmer.function} found"
    return ""


def judge(
    d: DimensionState,
    target,
    policy,
    alarm,
    metrics_available: bool,
    warmer: Warmer,
    now: dt.datetime,
    end: dt.datetime,
) -> None:
    last_decrease = dt.datetime.fromisoformat(d.last_decrease) if d.last_decrease else None
    quota = decrease_quota(d.decreases_today, last_decrease, now)
    evaluation = None
    if metrics_available:
        warmed_since = dt.datetime.fromisoformat(warmer.started) if d.warmed and warmer.started else None
        evaluation = evaluate_alarm_low(d.minutes, end, warmed_since)
        d.gaps = evaluation.gaps
    if d.on_demand:
        d.verdict, d.why = "NOT NEEDED", "on-demand (PAY_PER_REQUEST): no auto scaling to unblock"
    elif target is None:
        d.verdict, d.why = "NOT NEEDED", "no auto scaling target: its capacity never scales in"
    elif d.warmed and warmer.last_tick_failed:
        d.verdict, d.why = "FAILING", _failing(warmer)
    elif policy is None:
        d.verdict, d.why = "BLOCKED", "a scalable target without a target-tracking policy: nothing scales it in"
    elif alarm is None:
        d.verdict, d.why = "BLOCKED", "the policy has no AlarmLow alarm: nothing can trigger a scale-in"
    elif d.provisioned is not None and d.provisioned <= target["MinCapacity"]:
        d.verdict, d.why = "AT MINIMUM", f"provisioned {d.provisioned} = the target's minimum: nothing to scale in"
    elif not quota.allowed and (d.decreases_today or 0) >= DECREASES_PER_DAY:
        d.verdict, d.why = "BLOCKED", quota.why
    elif evaluation is None:
        d.verdict, d.why = "UNKNOWN", "this endpoint publishes no DynamoDB metrics, so the datapoints cannot be judged"
    else:
        d.verdict, d.why = evaluation.verdict, evaluation.why
        d.first_fire = evaluation.first_fire.isoformat() if evaluation.first_fire else None
        if d.verdict == "BLOCKED":
            d.why += _cause(warmer)
        elif d.verdict == "OK":
            d.why += f"; AlarmLow {d.alarm_state or 'present'}"
        if not quota.allowed:  # waiting for the hourly decrease: scale-in comes, later
            d.why += f"; {quota.why}"


def diagnose(
    clients,
    table_names: list[str],
    function: str | None,
    now: dt.datetime,
    window: int = 20,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    dynamodb, autoscaling, cloudwatch = clients["dynamodb"], clients["application-autoscaling"], clients["cloudwatch"]
    start, end = minute_window(now, window)
    descriptions = {}
    for number, name in enumerate(table_names, 1):
        if progress:
            progress(number, len(table_names), name)
        descriptions[name] = dynamodb.describe_table(TableName=name)["Table"]
    schemas = {name: schema_from_description(description) for name, description in descriptions.items()}
    targets = scalable_targets(autoscaling, list(schemas.values()))
    policies = target_tracking_policies(autoscaling)
    dimensions = [d for name in table_names for d in table_dimensions(descriptions[name])]
    alarm_names = {}
    for d in dimensions:
        policy = policies.get((d.resource_id, d.scalable_dimension))
        low = [a["AlarmName"] for a in (policy or {}).get("Alarms", []) if "-AlarmLow-" in a["AlarmName"]]
        if low:
            alarm_names[id(d)] = low[0]
    alarms = alarms_by_name(cloudwatch, sorted(set(alarm_names.values())))
    metrics_available = dynamodb_metrics_exist(cloudwatch)
    minutes = [start + dt.timedelta(minutes=i) for i in range(window)]
    seen = {}
    if metrics_available:
        queries = []
        for number, d in enumerate(dimensions):
            queries.append(
                (f"d{number}", "AWS/DynamoDB", f"Consumed{d.kind.title()}CapacityUnits", d.metric_dimensions)
            )
        seen = minutes_with_data(cloudwatch, queries, start, end)
    warmer = warmer_health(clients, function, start, end)
    for number, d in enumerate(dimensions):
        target = targets.get((d.resource_id, d.scalable_dimension))
        policy = policies.get((d.resource_id, d.scalable_dimension))
        alarm = alarms.get(alarm_names.get(id(d), ""))
        if target:
            d.min_capacity, d.max_capacity = target["MinCapacity"], target["MaxCapacity"]
        if policy:
            d.target_value = policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
        if alarm:
            d.alarm_name, d.alarm_state, d.alarm_reason = (
                alarm["AlarmName"],
                alarm["StateValue"],
                alarm.get("StateReason"),
            )
        d.minutes = [m in seen.get(f"d{number}", set()) for m in minutes] if metrics_available else []
        d.on_demand = schemas[d.table].on_demand
        d.warmed = warmer.covers(d.table)
        judge(d, target, policy, alarm, metrics_available, warmer, now, end)
    return Report(now.isoformat(timespec="seconds"), window, metrics_available, warmer, dimensions)
