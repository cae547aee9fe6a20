"""Which path the warm requests take: lean (wire.py) when it works, the client's own methods when it does not.

Decided once per client, at cold start, by the probe (wire_probe.py). A request
that still breaks the lean path later (LeanPathFailed) turns it off for that
request and every later one of the container. Either way one WARNING line says
so with the botocore version, and the tick's summary reports the path taken
(`request_path`), which the module turns into a metric that `doctor` reads.

A fallback never sends a request twice unless a retry would have: a request
the lean path broke on before it went out, or that went out and got no answer
(a connection error, which the retry handler resends), is sent by the client;
one that was answered is not sent again: a 2xx answer is returned as read, an
error answer raised as the client's own exception (read from DynamoDB's JSON
error body with public APIs only).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from enum import Enum

import botocore

from .log import log_event
from .wire import OPERATIONS, LeanPathFailed, PerClient, WarmOperations, lean
from .wire_probe import probe

METHODS = {operation: method for method, operation in OPERATIONS.items()}
# The metric the module's log metric filter makes of each tick line reporting the stock
# path, in DdbWarmer/<function> (modules/dynamodb-warmer/alarms.tf; doctor reads it).
STOCK_PATH_METRIC = "StockRequestPathTicks"


class RequestPath(Enum):
    LEAN = "lean"
    STOCK = "stock"


@dataclass(frozen=True)
class PathReport:
    """What the tick's summary says about the path: `reason` is why the lean one is off (None when on)."""

    path: RequestPath
    botocore: str
    reason: str | None = None

    def as_dict(self) -> dict:
        report = {"path": self.path.value, "botocore": self.botocore}
        if self.reason is not None:
            report["reason"] = self.reason
        return report


def stock_report(reason: str | None = None) -> PathReport:
    return PathReport(RequestPath.STOCK, botocore.__version__, reason)


class WarmSender(WarmOperations):
    """get_item, delete_item, query and update_item of a DynamoDB client, lean while that works."""

    def __init__(self, client, problem: str | None):
        self.client = client
        self._lean = None
        self._lock = threading.Lock()
        self._report = PathReport(RequestPath.LEAN, botocore.__version__)
        if problem is None:
            try:
                self._lean = lean(client)
            except Exception as error:  # the probe passed: only a race with a change of the client gets here
                problem = f"{type(error).__name__}: {error}"
        if problem is not None:
            self._fall_back(f"cold-start check: {problem}")

    @property
    def report(self) -> PathReport:
        return self._report

    def send(self, operation: str, params: dict) -> dict:
        lean = self._lean
        if lean is None:
            return self._stock(operation, params)
        try:
            return lean.send(operation, params)
        except LeanPathFailed as failure:
            self._fall_back(f"{operation}: {failure}")
            return self._after_failure(operation, params, failure)

    def _stock(self, operation: str, params: dict) -> dict:
        return getattr(self.client, METHODS[operation])(**params)

    def _after_failure(self, operation: str, params: dict, failure: LeanPathFailed) -> dict:
        progress = failure.progress
        if not progress.sent or progress.answer is None:
            return self._stock(operation, params)  # never sent, or sent and unanswered: what a retry sends
        if progress.answer.status_code < 300:
            return progress.parsed or {"ResponseMetadata": {"HTTPStatusCode": progress.answer.status_code}}
        raise answered_error(self.client, operation, progress.answer)

    def _fall_back(self, reason: str) -> None:
        with self._lock:
            if self._report.path is RequestPath.STOCK:
                return
            self._lean = None
            self._report = stock_report(reason)
        log_event("request_path_fallback", botocore=botocore.__version__, reason=reason)


def answered_error(client, operation: str, answer) -> Exception:
    """The client's own exception for a DynamoDB error answer (JSON 1.0: {"__type": "...#Code", "message"})."""
    try:
        body = json.loads(answer.content or b"{}")
    except ValueError:
        body = {}
    code = str(body.get("__type", "")).rsplit("#", 1)[-1] or f"HTTP{answer.status_code}"
    message = body.get("message") or body.get("Message") or ""
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": answer.status_code},
    }
    return client.exceptions.from_code(code)(response, operation)


# The warm sender of a DynamoDB client, probed once: one per client, as long as the client lives.
warm_sender = PerClient(lambda client: WarmSender(client, probe(client)))
