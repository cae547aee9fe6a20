"""What Lambda publishes of an invocation the local runtime ran, put into the local AWS.

Lambda publishes Invocations, Errors and Duration per function for every
invocation; moto does not run functions, so the runtime driver puts them with
PutMetricData at the time of the invocation. The module's "no successful tick"
alarm and doctor's warmer health read exactly these. The error record that ends
a failed invocation goes to the function's log group, as the python3.13
runtime writes it there (doctor shows the last one).
"""

from __future__ import annotations

import contextlib
import json
import time

from ddb_warmer.local.runtime import Invocation
from ddb_warmer.ops.deployment import function_log_group


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


def publish_error_record(logs, configuration: dict, invocation: Invocation) -> None:
    """The runtime's record of the exception that failed the invocation, in the function's log group:
    JSON with the error object's fields under the JSON log format, "[ERROR] Type: message" under Text."""
    group = function_log_group(configuration)
    stream = time.strftime("%Y/%m/%d/[$LATEST]") + invocation.request_id.replace("-", "")
    payload = invocation.answer
    error = {k: payload[k] for k in ("errorMessage", "errorType", "stackTrace") if k in payload}
    if configuration.get("LoggingConfig", {}).get("LogFormat", "Text").upper() == "JSON":
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        message = json.dumps({"timestamp": stamp, "level": "ERROR", **error, "requestId": invocation.request_id})
    else:
        message = f"[ERROR] {invocation.error_type}: {invocation.error_message}"
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": int(time.time() * 1000), "message": message}]
    )
