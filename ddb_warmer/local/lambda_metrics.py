"""The AWS/Lambda metrics of an invocation the local runtime ran, put into the local AWS.

Lambda publishes Invocations, Errors and Duration per function for every
invocation; moto does not run functions, so the runtime driver puts them with
PutMetricData at the time of the invocation. The module's "no successful tick"
alarm and doctor's warmer health read exactly these.
"""

from __future__ import annotations

from ddb_warmer.local.runtime import Invocation


def publish_invocation(cloudwatch, function_name: str, invocation: Invocation) -> None:
    dimensions = [{"Name": "FunctionName", "Value": function_name}]
    data = [
        {"MetricName": "Invocations", "Dimensions": dimensions, "Value": 1.0, "Unit": "Count"},
        {"MetricName": "Errors", "Dimensions": dimensions, "Value": 0.0 if invocation.ok else 1.0, "Unit": "Count"},
    ]
    if invocation.duration_ms is not None:
        duration = invocation.duration_ms
        data.append({"MetricName": "Duration", "Dimensions": dimensions, "Value": duration, "Unit": "Milliseconds"})
    cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=data)
