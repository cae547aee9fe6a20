"""An apply is judged by Terragrunt's exit code as well as its output, and a state Terraform could not save is kept."""

from __future__ import annotations

from pathlib import Path

from ddb_warmer.build.terragrunt import LIVE
from ddb_warmer.ci.apply import KEPT_STATE, judged, keep_errored_state, unit_result

# A unit's path as apply.py names it (under live/); nothing is read from it.
ENV_DIR = LIVE / "some-environment"
UNIT = ENV_DIR / "warmer"


def terragrunt_output(unit: str, *lines: str) -> str:
    return "\n".join(f"15:49:56.172 STDOUT [{unit}] terraform: {line}" for line in lines)


def test_an_apply_that_printed_apply_complete_but_exited_non_zero_failed():
    output = terragrunt_output("warmer", "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.")
    results = [unit_result(output, UNIT, ENV_DIR)]
    assert results[0].ok

    verdict = judged(1, results, "dev")

    assert [r.ok for r in verdict] == [True, False]
    assert "terragrunt exited 1 although every unit printed" in verdict[-1].error


def test_a_unit_whose_state_could_not_be_saved_failed_even_after_apply_complete():
    output = terragrunt_output(
        "warmer",
        "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
        "╷",
        "│ Error: Failed to save state",
        "│ ",
        "│ Error saving state: failed to upload state: AccessDenied",
        "╵",
    )

    result = unit_result(output, UNIT, ENV_DIR)

    assert not result.ok and "Failed to save state" in result.error


def test_a_clean_apply_with_exit_code_zero_passes():
    output = terragrunt_output("warmer", "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.")

    verdict = judged(0, [unit_result(output, UNIT, ENV_DIR)], "dev")

    assert [(r.ok, r.changed) for r in verdict] == [(True, 1)]


def test_errored_tfstate_left_in_a_units_cache_is_kept_for_the_artifact(tmp_path):
    env_dir, plans = tmp_path / "live" / "dev", tmp_path / "plans"
    left = env_dir / "warmer" / ".terragrunt-cache" / "ab12" / "cd34" / "errored.tfstate"
    left.parent.mkdir(parents=True)
    left.write_text('{"serial": 7}')

    kept = keep_errored_state(env_dir, plans)

    assert [Path(k).read_text() for k in kept] == ['{"serial": 7}']
    assert kept[0].is_relative_to(plans / KEPT_STATE / "warmer")
