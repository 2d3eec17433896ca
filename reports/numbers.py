"""Numbers written the Vietnamese way: 1.234,5 and 12,5%."""

from __future__ import annotations


def vn_number(value: float | int | None, digits: int = 1) -> str:
    """Vietnamese number style: 1.234,5 (dot for thousands, comma for decimals); "–" for None."""
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else (f"−{-value}" if value < 0 else "0")


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{vn_number(round(100 * value, digits), digits)}%"
