"""ddb_warmer.ci.doctor_issue's command line: what it refuses before checking anything."""

from __future__ import annotations

from ddb_warmer.ci.doctor_issue import main


def test_an_unknown_environment_is_refused_in_one_line_naming_the_ones_there_are(capsys):
    assert main(["--environment", "no-such-environment"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: no environment 'no-such-environment' under live/ (there are: ")
    assert len(error.strip().splitlines()) == 1
