"""`diembao flags ...` and `diembao rebuttals ...`: the verification queue and the registry."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from monitor.cli import Context, guarded
from monitor.flags import STATUSES


def _now() -> datetime:
    return datetime.now(UTC)


def _local(obj: Context, when: datetime | None) -> str:
    if when is None:
        return "-"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo(obj.settings.timezone)).strftime("%d/%m/%Y %H:%M")


@click.group("flags")
def flags_group() -> None:
    """Needs-verification flags: the review queue, explanations, scoring, decisions."""


@flags_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only flags with this status.")
@click.option("--limit", default=100, show_default=True, help="At most this many flags.")
@click.pass_obj
@guarded
def flags_list(obj: Context, status: str | None, limit: int) -> None:
    """List flags, highest score first."""
    from monitor.flags_store import list_flags

    with obj.database().begin() as conn:
        rows = list_flags(conn, status=status, limit=limit)
    click.echo(f"{'id':>5} {'trạng thái':<11} {'điểm':>5}  {'thời điểm':<16}  {'nguồn':<24} "
               "tín hiệu / tiêu đề")
    for r in rows:
        kinds = ",".join(s["kind"] for s in r["signals"] or [])
        click.echo(f"{r['id']:>5} {r['status']:<11} {r['score']:>5.2f}  "
                   f"{_local(obj, r['created_at']):<16}  {r['source'][:24]:<24} "
                   f"[{kinds}] {r['title'][:80]}")
    click.echo(f"{len(rows)} flags")


@flags_group.command("explain")
@click.argument("flag_id", type=int)
@click.pass_obj
@guarded
def flags_explain(obj: Context, flag_id: int) -> None:
    """Show a flag's article, score, signals with their evidence, re-fetches and history."""
    from monitor.flags_store import flag_detail

    with obj.database().begin() as conn:
        d = flag_detail(conn, flag_id)
    click.echo(f"Cờ #{d['id']} ({d['status']}), điểm {d['score']:.2f}"
               f" (mô hình {d['model_version'] or '-'})")
    click.echo(f"Bài: {d['title']}")
    when = _local(obj, d["published"] or d["first_seen"])
    click.echo(f"Nguồn: {d['source']} ({d['tier']}), {when}")
    click.echo(f"Địa chỉ: {d['canonical_url']}")
    for s in d["signals"] or []:
        click.echo(f"- {s['kind']} (cường độ {s['strength']:.2f}, trọng số "
                   f"{s.get('weight', 0):+.2f}): {s['reason']}")
        for e in s.get("evidence", []):
            where = f"bài #{e['article_id']} " if e.get("article_id") else ""
            click.echo(f"    “{e['text']}” ({where}{e['field']} {e['start']}-{e['end']})")
    for r in d["refetches"]:
        click.echo(f"Kiểm tra lại sau {r['step']} ({_local(obj, r['fetched_at'])}): "
                   f"{r['outcome']}" + (f", thay đổi {r['change_ratio']:.0%}"
                                        if r["change_ratio"] else ""))
    for h in d["history"]:
        click.echo(f"Lịch sử: {_local(obj, h['at'])} {h['actor']} {h['action']} "
                   f"{json.dumps(h['after'], ensure_ascii=False)}"
                   + (f" ghi chú: {h['note']}" if h["note"] else ""))


@flags_group.command("score")
@click.argument("infile", type=click.File("r", encoding="utf-8"), default="-")
@click.pass_obj
@guarded
def flags_score(obj: Context, infile) -> None:
    """Read JSON lines (title, text, optional source, tier, published) from INFILE or stdin;
    write each back with its score and signals (rebuttals from the database's registry)."""
    from monitor.flags_score import score_records

    with obj.database().begin() as conn:
        for out in score_records(conn, infile, now=_now(), settings=obj.settings):
            click.echo(json.dumps(out, ensure_ascii=False))


@flags_group.command("set")
@click.argument("flag_id", type=int)
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--by", "by", required=True, help="The reviewer's user name.")
@click.option("--note", default=None, help="Why (recorded with the change).")
@click.pass_obj
@guarded
def flags_set(obj: Context, flag_id: int, status: str, by: str, note: str | None) -> None:
    """Change a flag's status (open, confirmed, dismissed, needs-info); who, when and the note
    are recorded in the audit log."""
    from monitor.flags_store import set_status

    with obj.database().begin() as conn:
        set_status(conn, flag_id, status, by=by, note=note, now=_now())
    click.echo(f"flag {flag_id}: {status} by {by}")


@flags_group.command("retrain")
@click.option("--by", "by", default=None, help="Who asked for it (recorded with the model).")
@click.pass_obj
@guarded
def flags_retrain(obj: Context, by: str | None) -> None:
    """Learn the score combiner from analysts' decisions (confirmed vs dismissed flags)."""
    from monitor.flags_store import retrain

    with obj.database().begin() as conn:
        result = retrain(conn, now=_now(), by=by)
    click.echo(f"{result.version}: {result.n_samples} decisions ({result.positives} confirmed) "
               f"{json.dumps(result.metrics)}")


@flags_group.command("story")
@click.argument("cluster_id", type=int)
@click.pass_obj
@guarded
def flags_story(obj: Context, cluster_id: int) -> None:
    """Show a story cluster: its origin, its outlets and its flags."""
    from monitor.flags_store import story_view

    with obj.database().begin() as conn:
        v = story_view(conn, cluster_id)
    origin = v["origin"] or {}
    click.echo(f"Câu chuyện #{v['id']}: {v['title']}")
    click.echo(f"Nguồn đầu tiên: {origin.get('source', v['first_source_id'])}, "
               f"{_local(obj, v['first_published'])}; {v['outlets']} cơ quan báo chí, "
               f"{v['independent_outlets']} độc lập")
    for a in v["articles"]:
        flag = f" cờ #{a['flag_id']} {a['flag_status']} {a['flag_score']:.2f}" \
            if a["flag_id"] else ""
        click.echo(f"- {_local(obj, a['when'])} {a['source']} ({a['tier']}, "
                   f"{a['cluster_relation']}): {a['title'][:80]}{flag}")


@flags_group.command("refetch")
@click.pass_obj
@guarded
def flags_refetch(obj: Context) -> None:
    """Re-fetch the flagged and high-interest articles that are due (takedowns, edits)."""
    from monitor.fetch import Fetcher
    from monitor.flags_refetch import refetch_due

    db = obj.database()
    sources = {source.id: source for source in obj.sources()}

    async def run():
        async with Fetcher(obj.settings.fetch) as fetcher:
            return await refetch_due(db, fetcher, _now(), obj.settings, sources=sources)

    click.echo(asyncio.run(run()).summary())


@click.group("rebuttals")
def rebuttals_group() -> None:
    """The registry of claims the authorities have rebutted."""


@rebuttals_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_obj
@guarded
def rebuttals_import(obj: Context, path: str) -> None:
    """Import rebuttals from a CSV or YAML file (claim, date, issued_by, source_url); importing
    the same claims again updates them."""
    from monitor.flags_rebuttals import read_rebuttals, save_rebuttals

    items = read_rebuttals(path)
    with obj.database().begin() as conn:
        result = save_rebuttals(conn, items, source=path, now=_now())
    click.echo(f"{path}: {result.added} added, {result.updated} updated")


@rebuttals_group.command("list")
@click.pass_obj
@guarded
def rebuttals_list(obj: Context) -> None:
    """List the registry."""
    from monitor.flags_rebuttals import load_rebuttals

    with obj.database().begin() as conn:
        items = load_rebuttals(conn)
    for r in items:
        click.echo(f"{r.id:>4} {r.claim_date:%d/%m/%Y} {r.issued_by}: {r.claim[:90]}")
    click.echo(f"{len(items)} rebuttals")
