"""checkov on the module: zero failed checks, and every skip carries its reason."""

from __future__ import annotations

import json
import re
import subprocess

from ddb_warmer.toolenv import ROOT, VENV

MODULE = ROOT / "modules" / "dynamodb-warmer"


def test_checkov_finds_no_failed_check_in_the_module():
    done = subprocess.run(
        [
            str(VENV / "bin" / "checkov"),
            "--directory",
            str(MODULE),
            "--framework",
            "terraform",
            "--output",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
    )
    report = json.loads(done.stdout)
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 20
    assert done.returncode == 0


def test_every_checkov_skip_in_the_module_gives_a_reason():
    skips = []
    for path in MODULE.glob("*.tf"):
        skips += re.findall(r"#\s*checkov:skip=([A-Z0-9_]+)(:?)(.*)", path.read_text())
    assert skips, "the module has no skip to check"
    for check, colon, reason in skips:
        assert colon and len(reason.strip()) > 30, f"{check} is skipped without a reason"
