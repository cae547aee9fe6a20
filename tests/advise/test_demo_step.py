"""The demo's advice step: a labelled synthetic history, then the advice and a chart per table."""

from __future__ import annotations

from ddb_warmer.local.advice_demo import show_advice

from .conftest import REGION, auto_scale, create_table


def test_the_demo_step_labels_its_history_synthetic_and_advises_each_shape(account, tmp_path, capsys):
    for name in ("busy", "quiet", "bursty"):
        create_table(account, name, read=5, write=5)
        auto_scale(account, name, "read", 1, 100)
        auto_scale(account, name, "write", 1, 100)

    show_advice(account, ["busy", "quiet", "bursty"], None, REGION, tmp_path)

    out = capsys.readouterr().out
    assert "SYNTHETIC history, 6 hours" in out
    assert "busy: steady at 60 %; quiet: idle; bursty: spiky" in out
    assert "busy: keep it provisioned and warmed" in out  # 3 of 5 units: above the break-even
    assert "quiet: switch the table to on-demand" in out
    assert "bursty: switch the table to on-demand" in out and "warmed provisioned would throttle" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bursty.png", "busy.png", "quiet.png"]
