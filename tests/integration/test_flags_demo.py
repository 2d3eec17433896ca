"""Flags on the demo archive: the planted sample cases are flagged, the rest mostly not."""

from __future__ import annotations

from monitor.demo import run_demo
from monitor.flags_demo import evaluate_demo, planted_slugs
from monitor.store import open_database


def test_planted_cases_are_flagged_on_the_demo_archive(tmp_path):
    run_demo(tmp_path / "out", base_port=None)
    db = open_database(str(tmp_path / "out" / "diembao.db"))
    result = evaluate_demo(db)
    db.dispose()
    assert result.planted == len(planted_slugs()) == 11  # every planted case was assessed
    assert result.recall >= 0.8, result.rows[:20]
    assert result.precision >= 0.6, result.rows[:20]
    assert result.precision_at_k >= 0.7
    # the official denials of the toll rumour are not flagged
    denials = [r for r in result.rows if "bác bỏ" in r[4]]
    assert denials and not any(r[1] for r in denials)
