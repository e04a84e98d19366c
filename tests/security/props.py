"""Hypothesis settings for the security suite: CI runs few examples, `python -m
bench.reliability` many (tests/figures.scale). A property that drives the running app shares
one app between its examples (function-scoped fixtures, on purpose), so that health check
is off; no deadline, since examples make real HTTP calls on a loaded machine."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests import figures
from tests.figures import scale

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


def examples(short: int, long: int) -> settings:
    """Settings for one property: `short` examples in CI, `long` under bench.reliability."""
    return settings(max_examples=scale(short, long), deadline=None, suppress_health_check=_QUIET)

# The database the running test is parametrised with (tests/security/conftest.py sets it),
# so a figure measured on both says which one it came from.
current_database: str | None = None


def record(section: str, figure: str, value: float | int | str, *, target: str = "") -> None:
    """tests.figures.record, with the test's database in the figure's name."""
    name = f"{figure} ({current_database})" if current_database else figure
    figures.record(section, name, value, target=target)
