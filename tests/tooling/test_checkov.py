"""Every checkov skip in the modules carries its reason. checkov itself runs in `make lint`, which `make test`
runs first."""

from __future__ import annotations

import re

from ddb_warmer.build.checkov import MODULES


def test_every_checkov_skip_in_the_module_gives_a_reason():
    skips = []
    for path in MODULES.rglob("*.tf"):
        skips += re.findall(r"#\s*checkov:skip=([A-Z0-9_]+)(:?)(.*)", path.read_text())
    assert skips, "the module has no skip to check"
    for check, colon, reason in skips:
        assert colon and len(reason.strip()) > 30, f"{check} is skipped without a reason"
