"""The dashboard's filters, chart geometry, quota levels and login redirect targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kiln.web.charts import bar_chart, quota_level
from kiln.web.pages.session import _safe_next
from kiln.web.render import age, duration, size

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "just now"), (180, "3 minutes ago"), (3600, "1 hour ago"), (2 * 86400, "2 days ago")],
)
def test_age(seconds: int, text: str) -> None:
    assert age(NOW - timedelta(seconds=seconds), now=NOW) == text


def test_sizes_and_durations() -> None:
    assert [size(None), size(512), size(1_500), size(23_400_000)] == [
        "—", "512 B", "1.5 KB", "23.4 MB",
    ]  # fmt: skip
    assert [duration(None), duration(4.25), duration(125)] == ["—", "4.2 s", "2 min 5 s"]


@pytest.mark.parametrize(
    ("percent", "level"), [(0, "ok"), (69.99, "ok"), (70, "warn"), (89.9, "warn"), (90, "danger")]
)
def test_quota_levels(percent: float, level: str) -> None:
    assert quota_level(percent) == level


def test_bar_chart_scales_to_the_largest_value() -> None:
    chart = bar_chart([("#1", 10.0, "a"), ("#2", 40.0, "b")], "Build duration", 200, 84)
    first, second = chart.bars
    assert second.height == 80 and second.y == 4 and first.height == 20
    assert first.x < second.x and first.width == second.width
    assert bar_chart([], "empty").bars == []


@pytest.mark.parametrize(
    ("target", "safe"),
    [("/w/acme", "/w/acme"), (None, "/"), ("//evil.example/", "/"),
     ("https://evil.example/", "/"), ("/\\evil.example", "/")],
)  # fmt: skip
def test_login_only_redirects_on_this_site(target: str | None, safe: str) -> None:
    assert _safe_next(target) == safe
