"""The deployed warmer as its schedule runs it: the schedule read back, the package fetched back.

Nothing is taken from this checkout: the function to run is the schedule's
target, its package comes from Lambda's GetFunction (Code.Location, checked
against the deployed CodeSha256), and each tick is invoked with the schedule
target's input, in the local Lambda runtime.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from ddb_warmer.local.lambda_metrics import publish_error_record, publish_invocation
from ddb_warmer.local.runtime import Invocation, LocalLambda


@dataclass(frozen=True)
class Schedule:
    name: str
    expression: str
    target_arn: str
    event: object  # what the target is invoked with

    @property
    def function_name(self) -> str:
        return self.target_arn.split(":")[6]


def deployed_schedule(scheduler, schedule_arn: str) -> Schedule:
    """GetSchedule of the deployed schedule: its target and the input it sends."""
    group, name = schedule_arn.split(":schedule/", 1)[1].split("/", 1)
    schedule = scheduler.get_schedule(GroupName=group, Name=name)
    target = schedule["Target"]
    # Without an Input, EventBridge Scheduler invokes a Lambda target with an empty JSON object.
    return Schedule(name, schedule["ScheduleExpression"], target["Arn"], json.loads(target.get("Input") or "{}"))


def fetch_deployed_package(lambda_client, function_name: str) -> tuple[bytes, dict]:
    """The deployed zip and configuration, as Lambda hands them out."""
    function = lambda_client.get_function(FunctionName=function_name)
    with urllib.request.urlopen(function["Code"]["Location"], timeout=30) as response:
        package = response.read()
    deployed_hash = function["Configuration"]["CodeSha256"]
    local_hash = base64.b64encode(hashlib.sha256(package).digest()).decode()
    if local_hash != deployed_hash:
        raise RuntimeError(f"fetched package hash {local_hash} differs from the deployed {deployed_hash}")
    return package, function["Configuration"]


def run_ticks(
    function: LocalLambda,
    schedule: Schedule,
    cloudwatch,
    ticks: int,
    every_minute: bool = False,
    on_tick: Callable[[int, Invocation], None] | None = None,
    logs=None,
) -> list[Invocation]:
    """Invoke `ticks` ticks one after another, or at the start of each minute as rate(1 minute) does.

    Each invocation's AWS/Lambda Invocations and Errors go to the local AWS, and with a logs client
    a failed one's error record to the function's log group.
    """
    invocations = []
    for number in range(1, ticks + 1):
        if every_minute and number > 1:
            now = dt.datetime.now(dt.UTC)
            next_minute = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
            time.sleep((next_minute - now).total_seconds())
        invocation = function.invoke(schedule.event)
        publish_invocation(cloudwatch, schedule.function_name, invocation)
        if logs is not None and not invocation.ok:
            publish_error_record(logs, function.configuration, invocation)
        invocations.append(invocation)
        if on_tick:
            on_tick(number, invocation)
    return invocations
