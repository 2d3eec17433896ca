"""The review UI in a real browser: log in, search, review, correct, audit, and its safety."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, shoot

expect = pytest.importorskip("playwright.sync_api").expect


def log_in(page, server, username: str = "chuyenvien") -> None:
    page.goto(f"{server['url']}/flags")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server['url']}/flags")


def test_analyst_session_end_to_end(page, server):
    log_in(page, server)
    page.goto(f"{server['url']}/")
    assert page.locator("svg").count() >= 3
    shoot(page, "overview")

    page.goto(f"{server['url']}/articles")
    page.fill("input[name=q]", "brwtest bắc")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table.articles a.title")
    expect(rows).to_have_count(1)
    assert rows.all_inner_texts() == ["Khánh thành cầu Bắc Giang mới brwtest"]
    page.fill("input[name=q]", "brwtest bac")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(2)  # htmx swapped the results in
    assert "Bác sĩ giảng dạy brwtest" in rows.all_inner_texts()
    shoot(page, "articles-search")

    page.goto(f"{server['url']}/flags")
    card = page.locator(f"#flag-{server['flag']}")
    assert card.locator("mark.evidence").first.inner_text() == "thu phí qua cầu"
    shoot(page, "flags")
    card.locator("input[name=note]").fill("Sở đã bác bỏ tin này")
    card.locator("button[value=confirmed]").click()
    page.locator(f"#flag-{server['flag']} p.ok").wait_for()
    assert "Đã xác nhận" in page.locator(f"#flag-{server['flag']}").inner_text()

    page.goto(f"{server['url']}/articles/{server['topic_article']}")
    page.check("input[name=value][value=giao-duc]")
    page.uncheck("input[name=value][value=y-te]")
    page.click("form.correct:has(input[value=topic]) button[type=submit]")
    page.wait_for_url("**#nhan")
    assert page.locator("tr.origin-analyst").inner_text().startswith("Chủ đề")
    shoot(page, "article")

    page.goto(f"{server['url']}/audit")
    audit = page.locator("table.audit").inner_text()
    assert "flag.status" in audit and "Sở đã bác bỏ tin này" in audit and "label.topic" in audit
    shoot(page, "audit")
    for name in ("sources", "quality"):
        page.goto(f"{server['url']}/{name}")
        shoot(page, name)
    assert page.csp_errors == []


def test_a_script_in_a_title_is_shown_as_text(page, server):
    log_in(page, server)
    page.goto(f"{server['url']}/articles/{server['script_article']}")
    assert page.locator("h1").inner_text().startswith("<script>alert('xss')</script>")
    page.goto(f"{server['url']}/articles?q=dong+xuyen")
    assert "<script>" in page.locator("table.articles").inner_text()
    assert page.dialogs == []


def test_a_viewer_cannot_act_and_a_forged_form_is_refused(page, server):
    log_in(page, server, "xem")
    assert page.locator("form.decide").count() == 0
    forged = page.request.post(f"{server['url']}/flags/{server['flag']}/status",
                               form={"status": "dismissed"})
    assert forged.status == 403
    page.context.clear_cookies()
    log_in(page, server, "chuyenvien")
    no_token = page.request.post(f"{server['url']}/flags/{server['flag']}/status",
                                 form={"status": "dismissed"})
    assert no_token.status == 403 and "CSRF" in no_token.text()
    page.goto(f"{server['url']}/flags?status=any")
    assert "Đã bác bỏ" not in page.locator(f"#flag-{server['flag']}").inner_text()
