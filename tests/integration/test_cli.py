"""The `diembao` command: help everywhere, exit codes, messages naming what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from _all_commands(cmd, (*prefix, name))


def test_console_script_is_installed_and_answers_help():
    out = subprocess.run([str(Path(sys.executable).parent / "diembao"), "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "Điểm báo" in out and "demo" in out and "sources" in out


@pytest.mark.parametrize("path", list(_all_commands(main)), ids=" ".join)
def test_every_subcommand_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output and " ".join(path) in result.output


def test_sources_check_prints_the_shipped_sources(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["sources", "check"])
    assert result.exit_code == 0, result.output
    assert "baobacgiang" in result.output and "valid" in result.output


def test_sources_check_exits_2_naming_file_and_path(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: x\n    name: X\n    homepage: https://x.vn/\n"
                   "    tier: national\n    feeds:\n      - url: htp:/nope\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "check", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output and "sources[0].feeds[0].url" in result.output


def test_a_file_that_is_not_a_database_exits_3(tmp_path):
    notdb = tmp_path / "notes.txt"
    notdb.write_text("ghi chú")
    result = CliRunner().invoke(main, ["--db", str(notdb), "status"])
    assert result.exit_code == 3
    assert "not an SQLite database" in result.output
    assert notdb.read_text() == "ghi chú"


def test_invalid_settings_file_exits_2(tmp_path):
    settings = tmp_path / "diembao.yaml"
    settings.write_text("fetch:\n  retrys: 3\n")
    result = CliRunner().invoke(main, ["--settings", str(settings), "status"])
    assert result.exit_code == 2
    assert "fetch.retrys" in result.output


def test_digest_of_an_empty_day(tmp_path):
    db = tmp_path / "t.db"
    result = CliRunner().invoke(main, ["--db", str(db), "digest", "daily", "--date", "2026-11-25",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "out" / "diem-bao-2026-11-25.html").read_text(encoding="utf-8")
    text = (tmp_path / "out" / "diem-bao-2026-11-25.txt").read_text(encoding="utf-8")
    assert "25/11/2026" in html and "Không có tin, bài nào" in text


def test_crawl_with_unknown_source_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "crawl", "--source",
                                       "khong-co"])
    assert result.exit_code == 2 and "khong-co" in result.output
