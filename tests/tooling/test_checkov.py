"""checkov on the module: zero failed checks, and every skip carries its reason."""

from __future__ import annotations

import re

from ddb_warmer.build.checkov import MODULES, checkov_report, failed_checks


def test_checkov_finds_no_failed_check_in_the_modules():
    report = checkov_report("--directory", str(MODULES))

    assert failed_checks(report) == []
    assert report["summary"]["passed"] > 20


def test_every_checkov_skip_in_the_module_gives_a_reason():
    skips = []
    for path in MODULES.rglob("*.tf"):
        skips += re.findall(r"#\s*checkov:skip=([A-Z0-9_]+)(:?)(.*)", path.read_text())
    assert skips, "the module has no skip to check"
    for check, colon, reason in skips:
        assert colon and len(reason.strip()) > 30, f"{check} is skipped without a reason"
