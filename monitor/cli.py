"""The `diembao` command. Only this module turns exceptions into messages and exit codes.

Exit codes: 0 success, 1 a run finished with failures under --strict or an unexpected error,
2 invalid configuration or usage, 3 the database cannot be used, 4 a scheduler already runs.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from monitor import __version__
from monitor.errors import ConfigError, MonitorError, SchedulerLockedError, StoreError
from monitor.settings import Settings, load_settings

log = logging.getLogger("monitor")

EXIT_FAILED, EXIT_CONFIG, EXIT_STORE, EXIT_LOCKED = 1, 2, 3, 4


class Context:
    def __init__(self, settings: Settings, strict: bool) -> None:
        self.settings = settings
        self.strict = strict

    def database(self):
        from monitor.store import open_database

        return open_database(self.settings.database_url)

    def sources(self, path: str | None = None):
        from monitor.config import load_sources

        return load_sources(path or self.settings.sources_file)

    def profile(self):
        from monitor.relevance import load_profile

        return load_profile(self.settings.province)


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbose < 2:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="diembao")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False),
              help="Settings YAML file (default: $DIEMBAO_SETTINGS, else ./diembao.yaml if any).")
@click.option("--db", "db_url", help="Database URL or SQLite file path (setting database_url).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False),
              help="sources.yaml to use (setting sources_file).")
@click.option("--province", help="Province profile id to watch (setting province).")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--strict", is_flag=True, help="Raise on the first broken feed or page (debugging).")
@click.pass_context
def main(ctx: click.Context, settings_file, db_url, sources_file, province, verbose, quiet,
         strict) -> None:
    """Điểm báo: monitor the press about a province."""
    _configure_logging(verbose, quiet)
    try:
        settings = load_settings(settings_file)
    except ConfigError as exc:
        _fail(exc, EXIT_CONFIG)
    overrides = {"database_url": db_url, "sources_file": sources_file, "province": province}
    from dataclasses import replace

    settings = replace(settings, **{k: v for k, v in overrides.items() if v})
    ctx.obj = Context(settings, strict)


def _fail(exc: Exception, code: int) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(code)


def guarded(func):
    """Turn the monitor's exceptions into a message on stderr and an exit code."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            _fail(exc, EXIT_CONFIG)
        except StoreError as exc:
            _fail(exc, EXIT_STORE)
        except SchedulerLockedError as exc:
            _fail(exc, EXIT_LOCKED)
        except MonitorError as exc:
            _fail(exc, EXIT_FAILED)

    return wrapper


# -- sources -----------------------------------------------------------------------------------

@main.group()
def sources() -> None:
    """Inspect the configured sources."""


@sources.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.pass_obj
@guarded
def sources_check(obj: Context, path: str | None) -> None:
    """Validate sources.yaml (or PATH) and print the sources as a table; exit 2 if invalid."""
    from monitor.config import sources_table

    loaded = obj.sources(path)
    click.echo(sources_table(loaded))
    feeds = [f for s in loaded if s.enabled for f in s.feeds if f.enabled]
    click.echo(f"{len(loaded)} sources, {len(feeds)} enabled feeds: valid")


# -- crawl and run -----------------------------------------------------------------------------

@main.command()
@click.option("--due", is_flag=True, help="Only feeds whose next fetch is due (as the scheduler).")
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.pass_obj
@guarded
def crawl(obj: Context, due: bool, source_ids: tuple[str, ...]) -> None:
    """Run one crawl now: feeds, new article pages, extraction, relevance, store."""
    from monitor.pipeline import Pipeline

    configured = obj.sources()
    unknown = set(source_ids) - {s.id for s in configured}
    if unknown:
        raise ConfigError(obj.settings.sources_file, "--source", "a configured source id",
                          sorted(unknown)[0])
    pipeline = Pipeline(obj.database(), configured, obj.settings, obj.profile(),
                        strict=obj.strict)
    stats = asyncio.run(pipeline.crawl(only_due=due, source_ids=set(source_ids) or None))
    for failure in stats.failures:
        click.echo(f"failed: {failure}", err=True)
    click.echo(stats.summary())


@main.command()
@click.option("--digest-dir", type=click.Path(file_okay=False),
              help="Where the daily digest is written (setting scheduler.digest_dir).")
@click.pass_obj
@guarded
def run(obj: Context, digest_dir: str | None) -> None:
    """Run the scheduler: each feed at its interval, the daily digest at its time. Stop with
    Ctrl-C or SIGTERM."""
    from monitor.pipeline import Pipeline
    from monitor.scheduler import Scheduler

    profile = obj.profile()
    pipeline = Pipeline(obj.database(), obj.sources(), obj.settings, profile, strict=obj.strict)
    Scheduler(pipeline, digest_dir=Path(digest_dir or obj.settings.scheduler.digest_dir),
              area=profile.name).run()


# -- extract -----------------------------------------------------------------------------------

@main.command()
@click.argument("target", metavar="PATH_OR_URL")
@click.option("--url", "page_url", help="The page's URL when PATH_OR_URL is a saved file.")
@click.option("--source", "source_id", help="Use this source's extraction rules (default: the "
              "source whose homepage host matches the URL, if any).")
@click.pass_obj
@guarded
def extract(obj: Context, target: str, page_url: str | None, source_id: str | None) -> None:
    """Extract an article page (a saved file or a URL) and print its fields as JSON."""
    import json

    from monitor.extract import article_json, decode_html, extract_article

    body, content_type, url = _read_page(obj, target, page_url)
    source = _source_for(obj, url, source_id)
    article = extract_article(decode_html(body, content_type), url=url,
                              source_id=source.id if source else "",
                              rules=source.rules if source else None, now=None)
    click.echo(json.dumps(article_json(article), ensure_ascii=False, indent=2))


def _read_page(obj: Context, target: str, page_url: str | None) -> tuple[bytes, str | None, str]:
    if target.startswith(("http://", "https://")):
        from monitor.errors import FetchError
        from monitor.fetch import Fetcher

        async def get():
            async with Fetcher(obj.settings.fetch) as fetcher:
                return await fetcher.fetch(target)

        result = asyncio.run(get())
        if result.failure is not None:
            raise FetchError(target, result.failure.kind, result.failure.reason)
        return result.body, result.headers.get("content-type"), result.final_url
    path = Path(target)
    if not path.is_file():
        raise ConfigError(target, "PATH_OR_URL", "a saved page file or an http(s) URL",
                          "no such file")
    return path.read_bytes(), None, page_url or path.resolve().as_uri()


def _source_for(obj: Context, url: str, source_id: str | None):
    from urllib.parse import urlsplit

    try:
        configured = obj.sources()
    except ConfigError:
        if source_id:
            raise
        return None  # no usable sources file: the generic path alone
    if source_id:
        found = [s for s in configured if s.id == source_id]
        if not found:
            raise ConfigError(obj.settings.sources_file, "--source", "a configured source id",
                              source_id)
        return found[0]
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return next((s for s in configured
                 if (urlsplit(s.homepage).hostname or "").removeprefix("www.") == host), None)


# -- relevance ---------------------------------------------------------------------------------

@main.command()
@click.option("--province", "profile_id", help="Profile id (or a comma list) to assess against "
              "(default: the province setting).")
@click.argument("infile", type=click.File("r", encoding="utf-8"), default="-")
@click.pass_obj
@guarded
def relevance(obj: Context, profile_id: str | None, infile) -> None:
    """Read JSON lines (title, sapo, text) from INFILE or stdin; write each with its relevance
    label (about, mention, none), score and places."""
    import json

    from monitor.relevance import assess_lines, load_profile

    profile = load_profile(profile_id or obj.settings.province)
    for number, line in enumerate(infile, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:  # reported in place; the other lines go on
            click.echo(json.dumps({"error": f"line {number}: not JSON ({exc.msg})"}))
            continue
        for out in assess_lines([record], profile):
            click.echo(json.dumps(out, ensure_ascii=False))


# -- classifiers -------------------------------------------------------------------------------

def _classifier_errors(func):
    """DataError (a bad training or evaluation file) exits 2, other model errors 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from classifiers.errors import ClassifierError, DataError

        try:
            return func(*args, **kwargs)
        except DataError as exc:
            _fail(exc, EXIT_CONFIG)
        except ClassifierError as exc:
            _fail(exc, EXIT_FAILED)

    return wrapper


@main.command()
@click.argument("kind", type=click.Choice(["sections", "topics", "tone"]))
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False),
              help="JSON lines (.jsonl or .jsonl.gz) with `text` and `label` or `labels`.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Model directory to write (estimator + card.json).")
@click.option("--folds", default=5, show_default=True,
              help="Cross-validation folds for the model card (0: skip).")
@click.option("--jobs", type=int, help="Parallel jobs for cross-validation.")
@click.option("--from-db", "from_db", is_flag=True,
              help="topics or tone: retrain on the analysts' labels in the database (they "
                   "take precedence over model labels).")
@click.pass_obj
@guarded
@_classifier_errors
def train(obj: Context, kind: str, data_path: str | None, out_dir: str, folds: int,
          jobs: int | None, from_db: bool) -> None:
    """Train a sections, topics or tone model and write it with its model card."""
    from classifiers.train import train_model

    if from_db:
        from monitor.labelling import train_from_db

        card = train_from_db(obj.database(), kind, out_dir, now=datetime.now(UTC))
    elif data_path is None:
        raise ConfigError("diembao train", "--data", "a JSON lines file (or --from-db)", "nothing")
    else:
        card = train_model(kind, data_path, out_dir, folds=folds, n_jobs=jobs)
    click.echo(f"{kind} model written to {out_dir}")
    for name, value in card.metrics.items():
        if isinstance(value, int | float | str):
            click.echo(f"{name}: {value}")


@main.command()
@click.option("--model", "model_dir", required=True, type=click.Path(file_okay=False),
              help="A model directory made by `diembao train`.")
@click.argument("infile", type=click.File("r", encoding="utf-8"), default="-")
@click.pass_obj
@guarded
@_classifier_errors
def classify(obj: Context, model_dir: str, infile) -> None:
    """Read JSON lines (`text`, or `title`/`sapo`/`body`); write them back with the
    predictions and calibrated probabilities."""
    from classifiers.predict import classify_stream
    from classifiers.store import load_model

    out = io.StringIO()
    classify_stream(load_model(model_dir), infile, out)
    click.echo(out.getvalue(), nl=False)


@main.command()
@click.option("--models", "models_dir", type=click.Path(file_okay=False),
              help="Folder of sections/, topics/, tone/ model directories (default: the shipped "
                   "models).")
@click.pass_obj
@guarded
@_classifier_errors
def relabel(obj: Context, models_dir: str | None) -> None:
    """Re-classify every stored article (sections, topics, tone) with the current models, e.g.
    after retraining; analysts' labels are never touched."""
    from monitor.labelling import MODELS_DIR, label_articles

    count = label_articles(obj.database(), None, models_dir or MODELS_DIR, now=datetime.now(UTC))
    click.echo(f"{count} articles labelled")


@main.command("eval")
@click.option("--model", "model_dir", required=True, type=click.Path(file_okay=False))
@click.option("--data", "data_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled JSON lines, as for training.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
@guarded
@_classifier_errors
def evaluate(obj: Context, model_dir: str, data_path: str, as_json: bool) -> None:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix."""
    import json

    from classifiers.evaluate import evaluate_model, format_evaluation

    result = evaluate_model(model_dir, data_path)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json
               else format_evaluation(result))


# -- status and database -----------------------------------------------------------------------

@main.command()
@click.pass_obj
@guarded
def status(obj: Context) -> None:
    """Show what the database holds and each source's health."""
    from monitor.store import repo

    db = obj.database()
    with db.begin() as conn:
        totals = repo.counts(conn)
        health = repo.source_health(conn, now=datetime.now(UTC))
    click.echo(" ".join(f"{k}={v}" for k, v in totals.items()))
    click.echo(f"{'source':<22} {'tier':<10} {'feeds':>5} {'failing':>7} {'24h':>5}  last error")
    for row in health:
        error = (row["last_error"] or "")[:60]
        click.echo(f"{row['id']:<22} {row['tier']:<10} {row['feeds']:>5} {row['failing']:>7} "
                   f"{row['articles_24h']:>5}  {error}")


@main.command()
@click.pass_obj
@guarded
def migrate(obj: Context) -> None:
    """Create the database or bring its schema to the newest version."""
    from monitor.store.db import current_revision

    db = obj.database()
    click.echo(f"{db.url}: schema at revision {current_revision(db)}")


# -- demo --------------------------------------------------------------------------------------

@main.command()
@click.option("--out", "out_dir", default="demo-out", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the database and the digest.")
@click.option("--port", default=18400, show_default=True,
              help="First loopback port of the sample outlets (one port per outlet).")
@click.pass_obj
@guarded
def demo(obj: Context, out_dir: str, port: int) -> None:
    """Serve the bundled sample press day on 127.0.0.1 and run the real pipeline against it."""
    from monitor.demo import run_demo

    result = run_demo(Path(out_dir), base_port=port, settings=obj.settings, strict=obj.strict)
    click.echo(result.summary)
    for label, path in result.paths:
        click.echo(f"{label}: {path}")


# Commands of the reports (digest, brief, report, export, alerts, mail): see cli_reports.py.
from monitor.cli_reports import register as _register_reports  # noqa: E402

_register_reports(main)

# Needs-verification flags and the rebuttals registry: see cli_flags.py.
from monitor.cli_flags import flags_group, rebuttals_group  # noqa: E402

main.add_command(flags_group)
main.add_command(rebuttals_group)

# The review web UI and its accounts: see cli_web.py.
from monitor.cli_web import register as _register_web  # noqa: E402

_register_web(main)

if __name__ == "__main__":
    main()
