"""Server-rendered charts: geometry of simple SVG bar charts (pure; templates draw them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    key: str = ""  # a css class suffix (tone colours)


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    maximum: int
    horizontal: bool

    @property
    def empty(self) -> bool:
        return not any(b.value for b in self.bars)


def column_chart(title: str, items: Sequence[tuple[str, int]], *, width: int = 720,
                 height: int = 200, label_every: int = 1) -> BarChart:
    """Vertical bars (one per item, e.g. a day), labels below every ``label_every`` bar."""
    top = max((v for _, v in items), default=0) or 1
    plot_h = height - 40
    step = (width - 40) / max(len(items), 1)
    bars = []
    for i, (label, value) in enumerate(items):
        h = plot_h * value / top
        bars.append(Bar(label if i % label_every == 0 else "", value, 30 + i * step + step * 0.1,
                        10 + plot_h - h, step * 0.8, h))
    return BarChart(title, tuple(bars), width, height, top, False)


def bar_chart(title: str, items: Sequence[tuple[str, int, str]], *, width: int = 460,
              row: int = 22) -> BarChart:
    """Horizontal bars (label, value, key), longest first as given."""
    top = max((v for _, v, _ in items), default=0) or 1
    label_w, plot_w = 190, width - 190 - 50
    bars = tuple(Bar(label, value, label_w, 4 + i * row, plot_w * value / top, row - 6, key)
                 for i, (label, value, key) in enumerate(items))
    return BarChart(title, bars, width, 8 + row * max(len(items), 1), top, True)
