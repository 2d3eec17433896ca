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


def test_extract_prints_fields_as_json(tmp_path):
    import json

    page = tmp_path / "bai.html"
    page.write_text(
        "<html><head><meta property='article:published_time' "
        "content='2026-11-25T07:30:00+07:00'></head><body><article><h1>Lục Ngạn vào vụ cam</h1>"
        "<p class='sapo'>Nông dân Lục Ngạn thu hoạch cam đường canh, giá bán ổn định.</p>"
        + "".join(f"<p>Đoạn {i}: vườn cam xã Lục Ngạn cho năng suất cao, thương lái tới tận "
                  "vườn thu mua với giá ổn định so với năm trước.</p>" for i in range(4))
        + "<figure><img src='a.jpg'><figcaption>Ảnh: vườn cam</figcaption></figure>"
        "</article></body></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(page), "--url",
                                       "https://bao.example.vn/cam-123.html"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["title"] == "Lục Ngạn vào vụ cam"
    assert data["published"] == "2026-11-25T07:30:00+07:00"
    assert len(data["body"]) == 4 and all("Ảnh" not in p for p in data["body"])
    assert data["provenance"]["published"] in {"meta", "opengraph"}


def test_extract_of_a_missing_file_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "khong-co.html")])
    assert result.exit_code == 2 and "khong-co.html" in result.output


def test_relevance_reads_and_writes_json_lines():
    import json

    lines = "\n".join([
        json.dumps({"id": 1, "title": "Lục Ngạn vào vụ thu hoạch cam",
                    "sapo": "Nông dân huyện Lục Ngạn (Bắc Giang) thu hoạch cam.", "text": ""}),
        json.dumps({"id": 2, "title": "Hà Nội cấm xe máy nội đô", "sapo": "", "text": ""}),
        "not json",
    ])
    result = CliRunner().invoke(main, ["relevance", "--province", "bac-giang"], input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o.get("label") for o in out] == ["about", "none", None]
    assert out[0]["id"] == 1 and {p["name"] for p in out[0]["places"]} >= {"Lục Ngạn"}
    assert "line 3" in out[2]["error"]


def test_relevance_with_an_unknown_profile_exits_2():
    result = CliRunner().invoke(main, ["relevance", "--province", "atlantis"], input="{}")
    assert result.exit_code == 2 and "atlantis" in result.output


def test_train_classify_eval_round_trip(tmp_path):
    import json

    examples = [
        ("Đội tuyển bóng đá thắng trận chung kết, cầu thủ ghi bàn phút cuối", "The thao"),
        ("Huấn luyện viên công bố danh sách cầu thủ dự giải vô địch bóng đá", "The thao"),
        ("Tiền đạo lập cú đúp, câu lạc bộ giành ba điểm trên sân khách", "The thao"),
        ("Giá cổ phiếu ngân hàng tăng mạnh, chỉ số chứng khoán vượt mốc", "Kinh doanh"),
        ("Doanh nghiệp báo lãi quý ba, cổ đông nhận cổ tức bằng tiền mặt", "Kinh doanh"),
        ("Lãi suất tiền gửi giảm, ngân hàng đẩy mạnh cho vay doanh nghiệp", "Kinh doanh"),
    ] * 3
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(json.dumps({"text": t, "label": y}, ensure_ascii=False)
                              for t, y in examples), encoding="utf-8")
    model = tmp_path / "model"
    trained = CliRunner().invoke(main, ["train", "sections", "--data", str(data), "--out",
                                        str(model), "--folds", "0"])
    assert trained.exit_code == 0, trained.output
    assert (model / "card.json").is_file()
    line = json.dumps({"id": 7, "text": "Cầu thủ ghi bàn, đội bóng thắng trận"}, ensure_ascii=False)
    classified = CliRunner().invoke(main, ["classify", "--model", str(model)], input=line)
    assert classified.exit_code == 0, classified.output
    out = json.loads(classified.output.splitlines()[0])
    assert out["id"] == 7 and out["sections"] == "The thao"
    assert abs(sum(out["sections_probabilities"].values()) - 1) < 1e-6
    evaluated = CliRunner().invoke(main, ["eval", "--model", str(model), "--data", str(data),
                                          "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.output)["accuracy"] == 1.0


def test_train_with_a_bad_data_file_exits_2(tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "không có nhãn"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["train", "sections", "--data", str(data), "--out",
                                       str(tmp_path / "m"), "--folds", "0"])
    assert result.exit_code == 2 and "bad.jsonl" in result.output
