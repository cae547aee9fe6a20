"""What AWS holds about the tables the tooling looks at, read in one place: each table's dimensions with
their capacity, Application Auto Scaling's scalable targets and target-tracking policies, and alarms by
name. doctor, advise and estimate read AWS through it; the warmer's own rules (a dimension's names, what
auto mode warms, what is on-demand) are lambda_function's, imported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lambda_function.dimensions import DimensionNames, resource_ids
from lambda_function.schema import TableSchema
from lambda_function.targets import RESOURCE_ID_BATCH  # the API's limit of ids a request


@dataclass
class DimensionState(DimensionNames):
    """A dimension as AWS holds it (capacity, target, policy, alarm, datapoints), and doctor's verdict on it."""

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
    minutes: list[bool] = field(default_factory=list)  # oldest first, the current minute last; True = a datapoint
    gaps: int = 0  # minutes without a datapoint, those still being published aside
    decreases_today: int | None = None
    last_decrease: str | None = None
    on_demand: bool = False
    warmed: bool = False  # the warmer's configuration covers this table
    first_fire: str | None = None  # WARMING: when AlarmLow can first evaluate
    verdict: str = "UNKNOWN"
    why: str = ""

    @property
    def metric_dimensions(self) -> list[dict]:
        """The CloudWatch dimensions of its AWS/DynamoDB metrics."""
        dimensions = [{"Name": "TableName", "Value": self.table}]
        if self.index:
            dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": self.index})
        return dimensions


def _iso(moment) -> str | None:
    return moment.isoformat() if isinstance(moment, dt.datetime) else None


def table_dimensions(description: dict) -> list[DimensionState]:
    name = description["TableName"]
    throughput = description.get("ProvisionedThroughput", {})
    dimensions = []
    for kind in ("read", "write"):
        dimensions.append(
            DimensionState(
                name,
                None,
                kind,
                provisioned=throughput.get(f"{kind.title()}CapacityUnits"),
                decreases_today=throughput.get("NumberOfDecreasesToday"),
                last_decrease=_iso(throughput.get("LastDecreaseDateTime")),
            )
        )
    for index in description.get("GlobalSecondaryIndexes", []):
        index_throughput = index.get("ProvisionedThroughput", {})
        for kind in ("read", "write"):
            dimensions.append(
                DimensionState(
                    name,
                    index["IndexName"],
                    kind,
                    provisioned=index_throughput.get(f"{kind.title()}CapacityUnits"),
                    decreases_today=index_throughput.get("NumberOfDecreasesToday"),
                    last_decrease=_iso(index_throughput.get("LastDecreaseDateTime")),
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


def scalable_targets(autoscaling, schemas: list[TableSchema]) -> dict[tuple[str, str], dict]:
    """Every DynamoDB scalable target of these tables and their GSIs, by (resource id, scalable dimension).

    Asked by resource id, in batches of 50 (the API's limit), so an account's
    other targets are never listed; the ids of GSIs are known from DescribeTable.
    """
    ids = [resource for schema in schemas for resource in resource_ids(schema)]
    found: dict[tuple[str, str], dict] = {}
    paginator = autoscaling.get_paginator("describe_scalable_targets")
    for first in range(0, len(ids), RESOURCE_ID_BATCH):
        for page in paginator.paginate(ServiceNamespace="dynamodb", ResourceIds=ids[first : first + RESOURCE_ID_BATCH]):
            found.update({(t["ResourceId"], t["ScalableDimension"]): t for t in page["ScalableTargets"]})
    return found
