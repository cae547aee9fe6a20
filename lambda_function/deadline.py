"""When a tick stops starting requests: a margin before the function's timeout.

A request started before the deadline still has time to finish, retries
included (main.TIME_MARGIN_SECONDS is one call's worst case plus the report),
so the tick always ends with its report instead of being cut off by Lambda.
"""

from __future__ import annotations

import time


class OutOfTime(RuntimeError):
    """The deadline passed before this work could start; it was not sent."""


class Deadline:
    def __init__(self, stop_at: float | None, clock=time.monotonic):
        self._stop_at = stop_at
        self._clock = clock

    @classmethod
    def none(cls) -> Deadline:
        return cls(None)

    @classmethod
    def from_context(cls, context, margin_seconds: float, clock=time.monotonic) -> Deadline:
        """From Lambda's context: get_remaining_time_in_millis() less the margin; none without a context."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:
            return cls.none()
        return cls(clock() + remaining() / 1000 - margin_seconds, clock)

    def passed(self) -> bool:
        return self._stop_at is not None and self._clock() >= self._stop_at

    def check(self, what: str) -> None:
        if self.passed():
            raise OutOfTime(f"out of time: {what} not started, too close to the function's timeout")
