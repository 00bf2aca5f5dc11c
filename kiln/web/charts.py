"""Inline SVG charts as data: bar geometry computed here, drawn by the templates."""

from __future__ import annotations

from dataclasses import dataclass

AMBER_PERCENT = 70.0
RED_PERCENT = 90.0
MIN_SLOTS = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    caption: str


def bar_chart(
    points: list[tuple[str, float, str]], caption: str, width: int = 320, height: int = 90
) -> Chart:
    """Vertical bars for (label, value, title) points, scaled to the largest value."""
    top = max((value for _, value, _ in points), default=0.0) or 1.0
    slot = width / max(len(points), MIN_SLOTS)  # a few builds stay thin bars, not blocks
    gap = min(4.0, slot / 4)
    bars = [
        Bar(
            x=round(i * slot + gap / 2, 1), y=round(height - value / top * (height - 4), 1),
            width=round(slot - gap, 1), height=round(value / top * (height - 4), 1),
            label=label, title=title,
        )
        for i, (label, value, title) in enumerate(points)
    ]  # fmt: skip
    return Chart(width, height, bars, caption)


def quota_level(percent: float) -> str:
    """ "ok", "warn" (amber, from 70 %) or "danger" (red, from 90 %)."""
    if percent >= RED_PERCENT:
        return "danger"
    if percent >= AMBER_PERCENT:
        return "warn"
    return "ok"
