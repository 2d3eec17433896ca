"""Charts as PNG bytes (matplotlib, DejaVu Sans: the font matplotlib ships renders Vietnamese)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display; must precede any pyplot import elsewhere

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT = {"font.family": "DejaVu Sans", "font.size": 9}
CURRENT, PREVIOUS, NEGATIVE = "#8a1c1c", "#9aa5b1", "#d9822b"


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    return out.getvalue()


def compare_bars(labels: Sequence[str], current: Sequence[int], previous: Sequence[int], *,
                 title: str, current_label: str, previous_label: str) -> bytes:
    """Horizontal bars, this period against the previous one, largest at the top."""
    with rc_context(FONT):
        fig = Figure(figsize=(7.0, 0.45 * max(len(labels), 3) + 1.0))
        ax = fig.add_subplot()
        ys = range(len(labels))
        ax.barh([y + 0.2 for y in ys], list(current), height=0.4, color=CURRENT,
                label=current_label)
        ax.barh([y - 0.2 for y in ys], list(previous), height=0.4, color=PREVIOUS,
                label=previous_label)
        ax.set_yticks(list(ys), [_short(label) for label in labels])
        ax.invert_yaxis()
        ax.set_title(title)
        ax.set_xlabel("Số tin, bài")
        ax.legend(loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def daily_trend(days: Sequence[date], volume: Sequence[int], negative: Sequence[int] | None,
                *, title: str) -> bytes:
    """Articles per day (bars) and negative-tone articles per day (line) when known."""
    with rc_context(FONT):
        fig = Figure(figsize=(7.0, 3.0))
        ax = fig.add_subplot()
        xs = list(range(len(days)))
        ax.bar(xs, list(volume), color=PREVIOUS, label="Tin, bài")
        if negative is not None:
            ax.plot(xs, list(negative), color=NEGATIVE, marker="o", markersize=3,
                    label="Sắc thái tiêu cực")
        step = max(1, len(days) // 10)
        ax.set_xticks(xs[::step], [d.strftime("%d/%m") for d in days][::step])
        ax.set_title(title)
        ax.set_ylabel("Số tin, bài")
        ax.legend(loc="upper left")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def _short(label: str, width: int = 34) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"
