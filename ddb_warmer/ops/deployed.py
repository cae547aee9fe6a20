"""What a deployed warmer says about its own cost, read from AWS in one place: its memory, log level, log
retention, custom metrics and alarms, and its schedule's rate. `estimate` and `advise` price it with
warmer_cost.py; without a deployed function, the module's defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ddb_warmer.ops import prices as price_table
from ddb_warmer.ops.warmer_cost import ALARM_METRICS, WarmerCost, warmer_cost

DEFAULT_SCHEDULE = "rate(1 minute)"  # the module's schedule_expression default


def ticks_per_month(schedule_expression: str) -> int:
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", schedule_expression or "")
    if not match:
        return price_table.MINUTES_PER_MONTH  # cron(...) or unknown: counted as once a minute
    every = int(match[1]) * (60 if match[2].startswith("hour") else 1)
    return price_table.MINUTES_PER_MONTH // every


@dataclass
class Deployed:
    """What the deployed function says about its own cost; defaults are the module's."""

    memory: int = 128
    log_level: str = "INFO"
    retention_days: int | None = 30
    custom_metrics: bool = False
    alarm_metrics: int = ALARM_METRICS
    schedule_expression: str = DEFAULT_SCHEDULE

    @property
    def ticks_per_month(self) -> int:
        return ticks_per_month(self.schedule_expression)

    def cost(self, tick_seconds: float, requests_per_tick: int) -> WarmerCost:
        """Its monthly cost at its schedule's rate, `requests_per_tick` warmed dimensions a tick."""
        return warmer_cost(
            self.ticks_per_month,
            tick_seconds,
            self.memory,
            requests_per_tick,
            self.log_level,
            self.retention_days,
            self.custom_metrics,
            self.alarm_metrics,
        )


def deployed_settings(clients, function: str) -> Deployed:
    configuration = clients["lambda"].get_function_configuration(FunctionName=function)
    logging_config = configuration.get("LoggingConfig", {})
    variables = configuration.get("Environment", {}).get("Variables", {})
    group = logging_config.get("LogGroup", f"/aws/lambda/{function}")
    groups = clients["logs"].describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    retention = next((g.get("retentionInDays") for g in groups if g["logGroupName"] == group), None)
    alarms = clients["cloudwatch"].describe_alarms(AlarmNamePrefix=function)["MetricAlarms"]
    try:
        schedule = clients["scheduler"].get_schedule(Name=function)["ScheduleExpression"]
    except clients["scheduler"].exceptions.ResourceNotFoundException:
        schedule = DEFAULT_SCHEDULE
    return Deployed(
        memory=configuration["MemorySize"],
        log_level=logging_config.get("ApplicationLogLevel", "INFO"),
        retention_days=retention,
        custom_metrics=variables.get("WARMER_EMF", "false").lower() == "true",
        # An alarm on one metric counts one; a metric math alarm, each metric it reads.
        alarm_metrics=sum(max(1, sum(1 for m in a.get("Metrics", []) if "MetricStat" in m)) for a in alarms),
        schedule_expression=schedule,
    )
