"""Application Auto Scaling's scalable targets of the tick's tables and GSIs, cached for a few minutes.

Asked by resource id, 50 ids a request (the API's limit), the batches in
parallel on the tick's pool, and only for ids not asked about recently: a warm
tick of an unchanged account sends none. An id seen for the first time (a new
table, a new GSI) is asked about on the tick that first sees it.
"""

from __future__ import annotations

import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

from .deadline import Deadline, OutOfTime

RESOURCE_ID_BATCH = 50
CACHE_SECONDS = 300  # a target added or removed by hand is noticed within 5 minutes


class TargetCache:
    def __init__(self, seconds: float = CACHE_SECONDS, clock=time.monotonic):
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, frozenset[str]]] = {}  # resource id -> (asked at, dimensions)
        self._lock = threading.Lock()

    def lookup(self, autoscaling, ids: list[str], pool, deadline: Deadline):
        """({(resource id, scalable dimension)}, {resource id: error}) for these ids."""
        now = self._clock()
        with self._lock:
            stale = [
                i for i in dict.fromkeys(ids) if i not in self._entries or now - self._entries[i][0] >= self._seconds
            ]
        batches = [stale[first : first + RESOURCE_ID_BATCH] for first in range(0, len(stale), RESOURCE_ID_BATCH)]
        futures = [(batch, pool.submit(self._ask, autoscaling, batch, deadline)) for batch in batches]
        errors: dict[str, Exception] = {}
        for batch, future in futures:
            try:
                found = future.result()
            except (ClientError, BotoCoreError, OutOfTime) as error:  # reported per table by the caller
                errors.update(dict.fromkeys(batch, error))
                continue
            with self._lock:
                for resource in batch:
                    self._entries[resource] = (now, frozenset(found.get(resource, ())))
        with self._lock:
            targets = {
                (resource, dimension)
                for resource in ids
                if resource in self._entries and resource not in errors
                for dimension in self._entries[resource][1]
            }
        return targets, errors

    @staticmethod
    def _ask(autoscaling, batch: list[str], deadline: Deadline) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        start: dict = {}
        while True:
            deadline.check("DescribeScalableTargets")
            page = autoscaling.describe_scalable_targets(
                ServiceNamespace="dynamodb", ResourceIds=batch, MaxResults=50, **start
            )
            for target in page["ScalableTargets"]:
                found.setdefault(target["ResourceId"], set()).add(target["ScalableDimension"])
            if not page.get("NextToken"):
                return found
            start = {"NextToken": page["NextToken"]}
