"""Extraction benchmark: our chain vs plain trafilatura on person-labelled pages, and speed.

    python bench/extract.py [--pages ../shared/data/pages] [--passes 5] [--quiet]

Reads every ``NAME.html`` with a ``NAME.gold.json`` (written by a person, see pages/ORIGIN.md) and
scores, per page: body F1 over syllables (whitespace tokens of the normalised paragraphs, as a
multiset), title exact match, sapo F1 and exact match, author match (null = null counts), published
correct to the minute. Three extractors run in the same process on the same pages: ours with the
outlet's rules from sources.yaml, ours with every rule disabled (the generic path alone, as for
the many outlets that will never have rules), and trafilatura's ``bare_extraction`` with metadata
and default settings. Speed is measured over ``--passes`` repeated passes, single process, for ours
and trafilatura alike, and printed with the ratio. Exits with status 2 when the pages are absent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import load_sources  # noqa: E402
from monitor.extract import decode_html, extract_article  # noqa: E402
from monitor.models import ExtractionRules  # noqa: E402
from monitor.text import normalize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent / "shared" / "data" / "pages"
ICT = timezone(timedelta(hours=7))
NOW = datetime(2027, 1, 1, tzinfo=ICT)
# page-name prefix -> (source id in sources.yaml or None, host for pages whose gold has no url)
OUTLETS = {
    "vnexpress": ("vnexpress", "vnexpress.net"), "dantri": ("dantri", "dantri.com.vn"),
    "tuoitre": ("tuoitre", "tuoitre.vn"), "vietnamnet": ("vietnamnet", "vietnamnet.vn"),
    "nld": ("nld", "nld.com.vn"), "zing": ("znews", "news.zing.vn"),
    "thanhnien": (None, "www.thanhnien.com.vn"), "soha": (None, "soha.vn"),
    "genk": (None, "genk.vn"), "24h": (None, "www.24h.com.vn"), "ngoisao": (None, "ngoisao.net"),
}
FIELDS = ("body", "title", "sapo_f1", "sapo", "author", "published")


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    url: str
    source_id: str | None
    gold: dict


@dataclass(frozen=True)
class Output:
    """What one extractor found on one page, in the gold's terms."""

    title: str | None
    sapo: str | None
    body: list[str]
    author: str | None
    published: datetime | None


def load_pages(folder: Path) -> list[Page]:
    pages = []
    for gold_path in sorted(folder.glob("*.gold.json")):
        name = gold_path.name.removesuffix(".gold.json")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        source_id, host = next((v for k, v in OUTLETS.items() if name.lower().startswith(k)),
                               (None, "example.invalid"))
        html = decode_html((folder / f"{name}.html").read_bytes())
        pages.append(Page(name, html, gold["url"] or f"http://{host}/{name}.html", source_id, gold))
    return pages


def ours(rules: dict[str, ExtractionRules]) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        art = extract_article(page.html, url=page.url, source_id=page.source_id or "unknown",
                              rules=rules.get(page.source_id or ""), now=NOW)
        published = art.published if art.published_origin == "page" else None
        return Output(art.title, art.sapo, list(art.body), art.author, published)
    return run


def plain_trafilatura(page: Page) -> Output:
    doc = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if doc is None:
        return Output(None, None, [], None, None)
    published = None
    if doc.date:
        try:
            published = datetime.fromisoformat(doc.date)
        except ValueError:
            published = None
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=ICT)
    body = (doc.text or "").split("\n")
    return Output(doc.title, doc.description, body, doc.author, published)


def tokens(paragraphs: list[str]) -> Counter[str]:
    return Counter(t for p in paragraphs for t in normalize(p).split())


def f1(found: Counter[str], gold: Counter[str]) -> float:
    if not found and not gold:
        return 1.0
    common = sum((found & gold).values())
    if common == 0:
        return 0.0
    precision, recall = common / sum(found.values()), common / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def same(found: str | None, gold: str | None) -> float:
    return float(normalize(found or "") == normalize(gold or ""))


def minute(when: datetime | None) -> datetime | None:
    return when.replace(second=0, microsecond=0) if when else None


def score(out: Output, gold: dict) -> dict[str, float]:
    expected = datetime.fromisoformat(gold["published"]) if gold["published"] else None
    return {
        "body": f1(tokens(out.body), tokens(gold["body_paragraphs"])),
        "title": same(out.title, gold["title"]),
        "sapo_f1": f1(tokens([out.sapo or ""]), tokens([gold["sapo"] or ""])),
        "sapo": same(out.sapo, gold["sapo"]),
        "author": same(out.author, gold["author"]),
        "published": float(minute(out.published) == minute(expected)),
    }


def evaluate(pages: list[Page], run: Callable[[Page], Output]) -> dict[str, dict[str, float]]:
    return {page.name: score(run(page), page.gold) for page in pages}


def pages_per_second(pages: list[Page], run: Callable[[Page], object], passes: int) -> float:
    start = time.perf_counter()
    for _ in range(passes):
        for page in pages:
            run(page)
    return passes * len(pages) / (time.perf_counter() - start)


def print_table(title: str, pages: list[Page], scores: list[dict[str, dict[str, float]]],
                labels: list[str]) -> None:
    print(f"\n{title}")
    head = " ".join(f"{f[:7]:>7}" for f in FIELDS)
    print(f"{'page':<22} {'run':<6} {head}")
    for page in pages:
        for label, table in zip(labels, scores, strict=True):
            row = " ".join(f"{table[page.name][f]:7.3f}" for f in FIELDS)
            print(f"{page.name[:22]:<22} {label:<6} {row}")


def means(table: dict[str, dict[str, float]], names: list[str]) -> dict[str, float]:
    return {f: statistics.fmean(table[n][f] for n in names) for f in FIELDS}


def print_means(pages: list[Page], scores: list[dict[str, dict[str, float]]],
                labels: list[str], ruled: set[str]) -> None:
    groups = {"all pages": [p.name for p in pages],
              "outlets without rules of their own": [p.name for p in pages
                                                     if p.source_id not in ruled]}
    print()
    for group, names in groups.items():
        print(f"means over {group} (n={len(names)})")
        print(f"  {'':<24} " + " ".join(f"{f:>9}" for f in FIELDS))
        for label, table in zip(labels, scores, strict=True):
            row = " ".join(f"{v:9.3f}" for v in means(table, names).values())
            print(f"  {label:<24} {row}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--quiet", action="store_true", help="means and speed only")
    args = parser.parse_args(argv)
    if not args.pages.is_dir() or not any(args.pages.glob("*.gold.json")):
        print(f"no labelled pages in {args.pages}: the benchmark needs ../shared/data/pages",
              file=sys.stderr)
        return 2
    pages = load_pages(args.pages)
    rules = {s.id: s.rules for s in load_sources(ROOT / "sources.yaml") if s.rules}
    runs = {"ours": ours(rules), "generic": ours({}), "trafil": plain_trafilatura}
    scores = [evaluate(pages, run) for run in runs.values()]
    labels = list(runs)
    if not args.quiet:
        print_table("per page (ours = with rules, generic = rules disabled, trafil = trafilatura)",
                    pages, scores, labels)
    print_means(pages, scores, ["ours (rules + chain)", "ours, rules disabled", "trafilatura"],
                set(rules))
    print_speed(pages, runs, args.passes)
    return 0


def print_speed(pages: list[Page], runs: dict[str, Callable[[Page], object]], passes: int) -> None:
    mine = pages_per_second(pages, runs["ours"], passes)
    theirs = pages_per_second(pages, runs["trafil"], passes)
    size = sum(len(p.html) for p in pages) / len(pages) / 1024
    print(f"\nspeed over {passes} passes x {len(pages)} pages (mean {size:.0f} KiB), one process:")
    print(f"  ours        {mine:7.1f} pages/s")
    print(f"  trafilatura {theirs:7.1f} pages/s")
    print(f"  ratio       {mine / theirs:7.2f}x")


if __name__ == "__main__":
    sys.exit(main())
