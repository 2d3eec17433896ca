"""The demo's report outputs: digest (.html, .txt, .eml), monthly brief, report section."""

from __future__ import annotations

import email
from datetime import date
from email import policy

from docx import Document

from monitor.demo import run_demo
from monitor.reports_job import write_demo_outputs
from monitor.settings import Settings
from monitor.store import open_database


def test_write_demo_outputs_from_the_sample_press_day(tmp_path):
    run_demo(tmp_path, base_port=None)
    db = open_database(str(tmp_path / "diembao.db"))
    paths = dict(write_demo_outputs(db, tmp_path / "out", date(2026, 11, 25), Settings()))
    db.dispose()
    assert set(paths) == {"digest (HTML)", "digest (text)", "digest (e-mail)",
                          "monthly brief (DOCX)", "monthly brief (HTML)",
                          "report section (DOCX)"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    msg = email.message_from_bytes(paths["digest (e-mail)"].read_bytes(), policy=policy.default)
    assert msg["Subject"].startswith("Điểm báo ngày 25/11/2026: ")
    text = msg.get_body(("plain",)).get_content()
    # the sample rumour's denial was reported by two outlets: a top story
    assert "Bắc Ninh bác bỏ thông tin thu phí qua các cầu trên sông Thương" in text
    assert "TÌNH TRẠNG NGUỒN TIN" in text and "HTTP 404" in text  # the demo's broken feed
    section = Document(str(paths["report section (DOCX)"]))
    assert "KẾT QUẢ THEO DÕI THÔNG TIN TRÊN BÁO CHÍ" in section.paragraphs[0].text
    assert section.tables[0].rows[-1].cells[0].text == "Tổng cộng"
