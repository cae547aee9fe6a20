"""`ddb-warmer doctor`: is scale-in unblocked, per table and dimension?

For every dimension (table or GSI x read or write) of the configured tables it
gathers the billing mode, the scalable target and policy, the policy's AlarmLow
alarm, the last minutes of Consumed*CapacityUnits, today's decreases, and the
warmer's own health, then gives a verdict:

- OK: a datapoint every minute of AlarmLow's 15-minute window, the alarm in place;
- BLOCKED (why: gaps, no policy, no AlarmLow alarm, decrease quota used up);
- AT MINIMUM: provisioned at the target's minimum, nothing to scale in;
- NOT NEEDED: on-demand, or no auto scaling target;
- UNKNOWN: the endpoint publishes no DynamoDB metrics at all (the local
  emulator): the datapoints cannot be judged, and are never invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from lambda_function.dimensions import dimension_label, resource_id, scalable_dimension, scalable_targets
from lambda_function.schema import schema_from_description

# DynamoDB allows 4 decreases in the first hour of a UTC day and then one per
# hour: 27 in a day.
DECREASES_PER_DAY = 27
ALARM_LOW_PERIODS = 15  # AlarmLow evaluates 15 one-minute periods
VERDICT_ORDER = ("BLOCKED", "UNKNOWN", "OK", "AT MINIMUM", "NOT NEEDED")


@dataclass
class Dimension:
    table: str
    index: str | None
    kind: str  # read | write
    provisioned: int | None = None
    min_capacity: int | None = None
    max_capacity: int | None = None
    target_value: float | None = None
    alarm_name: str | None = None
    alarm_state: str | None = None
    alarm_reason: str | None = None
    minutes: list[bool] = field(default_factory=list)  # oldest first; True = a datapoint
    decreases_today: int | None = None
    on_demand: bool = False
    verdict: str = "UNKNOWN"
    why: str = ""

    @property
    def label(self) -> str:
        return dimension_label(self.index, self.kind)

    @property
    def gaps(self) -> int:
        return self.minutes.count(False)

    @property
    def resource_id(self) -> str:
        return resource_id(self.table, self.index)

    @property
    def scalable_dimension(self) -> str:
        return scalable_dimension(self.index, self.kind)

    @property
    def metric_dimensions(self) -> list[dict]:
        """The CloudWatch dimensions of its AWS/DynamoDB metrics."""
        dimensions = [{"Name": "TableName", "Value": self.table}]
        if self.index:
            dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": self.index})
        return dimensions


@dataclass
class Warmer:
    function: str | None
    last_successful_tick: str | None = None
    errors: float = 0.0
    dead_letters: int | None = None
    found: bool = True

    @property
    def failing(self) -> bool:
        return bool(self.errors) or bool(self.dead_letters)


@dataclass
class Report:
    checked_at: str
    window_minutes: int
    metrics_available: bool
    warmer: Warmer
    dimensions: list[Dimension]

    @property
    def blocked(self) -> bool:
        return any(d.verdict == "BLOCKED" for d in self.dimensions)

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
                    "gaps": d.gaps,
                    "strip": strip(d.minutes) if self.metrics_available else None,
                }
                for d in self.dimensions
            ],
        }


def strip(minutes: list[bool]) -> str:
    return "".join("█" if seen else "·" for seen in minutes)


# --- gathering ---------------------------------------------------------------


def table_dimensions(description: dict) -> list[Dimension]:
    name = description["TableName"]
    throughput = description.get("ProvisionedThroughput", {})
    dimensions = []
    for kind in ("read", "write"):
        dimensions.append(
            Dimension(
                name,
                None,
                kind,
                provisioned=throughput.get(f"{kind.title()}CapacityUnits"),
                decreases_today=throughput.get("NumberOfDecreasesToday"),
            )
        )
    for index in description.get("GlobalSecondaryIndexes", []):
        index_throughput = index.get("ProvisionedThroughput", {})
        for kind in ("read", "write"):
            dimensions.append(
                Dimension(
                    name,
                    index["IndexName"],
                    kind,
                    provisioned=index_throughput.get(f"{kind.title()}CapacityUnits"),
                    decreases_today=index_throughput.get("NumberOfDecreasesToday"),
                )
            )
    return dimensions


def target_tracking_policies(autoscaling) -> dict[tuple[str, str], dict]:
    """The account's DynamoDB target-tracking policies, by (resource id, scalable dimension)."""
    policies = {}
    for page in autoscaling.get_paginator("describe_scaling_policies").paginate(ServiceNamespace="dynamodb"):
        for policy in page["ScalingPolicies"]:
            if policy.get("PolicyType") == "TargetTrackingScaling":
                policies[(policy["ResourceId"], policy["ScalableDimension"])] = policy
    return policies


def alarms_by_name(cloudwatch, names: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 names
        for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNames=names[start : start + 100]):
            found.update({alarm["AlarmName"]: alarm for alarm in page["MetricAlarms"]})
    return found


def minute_window(now: dt.datetime, minutes: int) -> tuple[dt.datetime, dt.datetime]:
    """The last `minutes` complete minutes before `now`."""
    end = now.replace(second=0, microsecond=0)
    return end - dt.timedelta(minutes=minutes), end


def minutes_with_data(cloudwatch, queries: list[tuple[str, str, str, list[dict]]], start, end) -> dict[str, set]:
    """{query id: minute starts with a datapoint}; queries are (id, namespace, metric name, dimensions)."""
    seen: dict[str, set] = {query[0]: set() for query in queries}
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
                seen[result["Id"]] |= {t.replace(second=0, microsecond=0) for t in result["Timestamps"]}
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    return seen


def dynamodb_metrics_exist(cloudwatch) -> bool:
    return bool(cloudwatch.list_metrics(Namespace="AWS/DynamoDB").get("Metrics"))


def warmer_health(clients, function: str | None, start, end) -> Warmer:
    if function is None:
        return Warmer(function=None, found=False)
    cloudwatch, sqs, lambda_client = clients["cloudwatch"], clients["sqs"], clients["lambda"]
    try:
        lambda_client.get_function_configuration(FunctionName=function)
    except lambda_client.exceptions.ResourceNotFoundException:
        return Warmer(function=function, found=False)
    queries = [("ticks", "DdbWarmer", "SuccessfulTick", [{"Name": "FunctionName", "Value": function}])]
    ticks = minutes_with_data(cloudwatch, queries, start, end)["ticks"]
    errors = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": function}],
        StartTime=start,
        EndTime=end,
        Period=max(60, int((end - start).total_seconds())),
        Statistics=["Sum"],
    )
    dead_letters = None
    prefix = function.removesuffix("-warmer")
    try:
        url = sqs.get_queue_url(QueueName=f"{prefix}-warmer-dlq")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        dead_letters = int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    except sqs.exceptions.QueueDoesNotExist:
        pass
    return Warmer(
        function=function,
        last_successful_tick=max(ticks).isoformat() if ticks else None,
        errors=sum(point["Sum"] for point in errors["Datapoints"]),
        dead_letters=dead_letters,
    )


# --- verdicts ----------------------------------------------------------------


def judge(d: Dimension, on_demand: bool, target, policy, alarm, metrics_available: bool, warmer: Warmer) -> None:
    if on_demand:
        d.verdict, d.why = "NOT NEEDED", "on-demand (PAY_PER_REQUEST): no auto scaling to unblock"
    elif target is None:
        d.verdict, d.why = "NOT NEEDED", "no auto scaling target: its capacity never scales in"
    elif policy is None:
        d.verdict, d.why = "BLOCKED", "a scalable target without a target-tracking policy: nothing scales it in"
    elif alarm is None:
        d.verdict, d.why = "BLOCKED", "the policy has no AlarmLow alarm: nothing can trigger a scale-in"
    elif d.provisioned is not None and d.provisioned <= target["MinCapacity"]:
        d.verdict, d.why = "AT MINIMUM", f"provisioned {d.provisioned} = the target's minimum: nothing to scale in"
    elif d.decreases_today is not None and d.decreases_today >= DECREASES_PER_DAY:
        d.verdict, d.why = "BLOCKED", f"all {DECREASES_PER_DAY} decreases of today used: scale-in waits for tomorrow"
    elif not metrics_available:
        d.verdict, d.why = "UNKNOWN", "this endpoint publishes no DynamoDB metrics, so the datapoints cannot be judged"
    elif False in d.minutes[-ALARM_LOW_PERIODS:]:
        gaps = d.minutes[-ALARM_LOW_PERIODS:].count(False)
        if warmer.failing:
            cause = f"; the warmer is failing ({warmer.errors:g} errors, {warmer.dead_letters or 0} dead letters)"
        elif warmer.function and not warmer.found:
            cause = f"; no warmer function {warmer.function} found"
        else:
            cause = ""
        d.verdict = "BLOCKED"
        d.why = f"{gaps} of the last {ALARM_LOW_PERIODS} minutes without a datapoint: AlarmLow cannot evaluate{cause}"
    else:
        d.verdict, d.why = "OK", f"a datapoint every minute; AlarmLow {d.alarm_state or 'present'}"


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
        judge(d, d.on_demand, target, policy, alarm, metrics_available, warmer)
    return Report(now.isoformat(timespec="seconds"), window, metrics_available, warmer, dimensions)
