"""A name, an account and a region that live/ does not hold yet, for a test that adds an environment or
moves one: a fork's live/ may hold any of the usual names, so a test never assumes one is free."""

from __future__ import annotations

from pathlib import Path

from ddb_warmer.build.live import environments

NAMES = ("staging", "qa", "uat", "sandbox", "perf", "preview", "canary")
# Commercial regions a warmer may deploy to; the first free one is picked.
REGIONS = ("eu-central-1", "us-west-2", "ap-southeast-2", "eu-north-1", "ca-central-1", "ap-northeast-1", "sa-east-1")


def unused_name(live: Path) -> str:
    taken = {e.name for e in environments(live)}
    return next(n for n in NAMES if n not in taken)


def unused_account(live: Path) -> str:
    taken = {e.account for e in environments(live)} | {p.name for p in (live / "_bootstrap").glob("[0-9]*")}
    return next(a for a in (f"{d}" * 12 for d in range(3, 10)) if a not in taken)


def unused_region(live: Path, also_taken: tuple[str, ...] = ()) -> str:
    taken = {r for e in environments(live) for r in e.regions} | set(also_taken)
    return next(r for r in REGIONS if r not in taken)
