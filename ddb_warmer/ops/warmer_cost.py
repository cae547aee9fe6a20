"""What the warmer itself costs a month, all of it: Lambda, its logs, custom metrics, alarms.

Pure arithmetic over a few facts about one warmer, so `estimate` (facts read
from the deployed function) and bench/cost_benchmark.py (facts for 10 to 1,000
tables) give the same figures. Prices: prices.py.

Log volume is counted from the lines the function writes (Lambda's JSON log
format, application level from the module's log_level, system level WARN so
that START/END/REPORT are not ingested): sizes measured on the local runtime's
output, plus the 26 bytes CloudWatch Logs counts per event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ddb_warmer.ops import prices as price_table

GB = 1024**3
EVENT_OVERHEAD_BYTES = 26  # CloudWatch Logs' per-event size on top of the message
TICK_LINE_BYTES = 360  # the INFO summary line of a tick
REQUEST_LINE_BYTES = 330  # one DEBUG line per request
EMF_LINE_BYTES = 620  # the EMF document, when custom metrics are on
CUSTOM_METRICS = 6  # TablesWarmed, TablesSkipped, TablesFailed, DimensionsWarmed, SuccessfulTick, TickDuration
# The module's alarms, by the metrics each evaluates: errors (1), dead letters (1),
# no successful tick (Invocations and Errors in metric math: 2).
ALARM_METRICS = 4


@dataclass(frozen=True)
class WarmerCost:
    """USD a month, per part."""

    ticks: int
    tick_seconds: float
    memory_mb: int
    log_gb: float
    lambda_requests: float
    lambda_compute: float
    log_ingestion: float
    log_storage: float
    custom_metrics: float
    alarms: float

    @property
    def without_alarms(self) -> float:
        return self.lambda_requests + self.lambda_compute + self.log_ingestion + self.log_storage + self.custom_metrics

    @property
    def total(self) -> float:
        return self.without_alarms + self.alarms

    def as_json(self) -> dict:
        return {**asdict(self), "without_alarms": self.without_alarms, "total": self.total}


def log_bytes_per_tick(requests: int, log_level: str, custom_metrics: bool) -> int:
    lines = [TICK_LINE_BYTES]
    if log_level in ("DEBUG", "TRACE"):
        lines += [REQUEST_LINE_BYTES] * requests
    if custom_metrics:
        lines.append(EMF_LINE_BYTES)
    return sum(size + EVENT_OVERHEAD_BYTES for size in lines)


def warmer_cost(
    ticks: int,
    tick_seconds: float,
    memory_mb: int,
    requests_per_tick: int,
    log_level: str = "INFO",
    retention_days: int | None = 30,
    custom_metrics: bool = False,
    alarm_metrics: int = ALARM_METRICS,
) -> WarmerCost:
    """The monthly cost of one warmer ticking `ticks` times a month."""
    log_gb = ticks * log_bytes_per_tick(requests_per_tick, log_level.upper(), custom_metrics) / GB
    # At steady state a log group holds `retention` days of logs (never expiring: a year counted).
    kept_months = (retention_days or 365) / 30
    return WarmerCost(
        ticks=ticks,
        tick_seconds=tick_seconds,
        memory_mb=memory_mb,
        log_gb=log_gb,
        lambda_requests=ticks * price_table.LAMBDA_REQUEST_MILLION / 1_000_000,
        lambda_compute=ticks * tick_seconds * memory_mb / 1024 * price_table.LAMBDA_GB_SECOND_ARM,
        log_ingestion=log_gb * price_table.LOGS_INGESTION_GB,
        log_storage=log_gb * kept_months * price_table.LOGS_STORAGE_GB_MONTH,
        custom_metrics=CUSTOM_METRICS * price_table.CUSTOM_METRIC_MONTH if custom_metrics else 0.0,
        alarms=alarm_metrics * price_table.ALARM_METRIC_MONTH,
    )


def render_lines(cost: WarmerCost) -> list[str]:
    return [
        f"  Lambda requests      ${cost.lambda_requests:8.4f}  ({cost.ticks:,} ticks)",
        f"  Lambda compute       ${cost.lambda_compute:8.4f}  ({cost.memory_mb} MB, arm64)",
        f"  log ingestion        ${cost.log_ingestion:8.4f}  ({cost.log_gb * 1024:,.1f} MB a month)",
        f"  log storage          ${cost.log_storage:8.4f}  (at the log group's retention)",
        f"  custom metrics       ${cost.custom_metrics:8.4f}  ({'on' if cost.custom_metrics else 'off'})",
        f"  alarms               ${cost.alarms:8.4f}",
        f"  total                ${cost.total:8.4f} a month (${cost.without_alarms:.4f} without the alarms)",
    ]
