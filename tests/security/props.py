"""Hypothesis settings for the security suite: CI runs few examples, `python -m
bench.reliability` many (tests/figures.scale). A property that drives the running app shares
one app between its examples (function-scoped fixtures, on purpose), so that health check
is off; no deadline, since examples make real HTTP calls on a loaded machine."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.figures import scale

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


def examples(short: int, long: int) -> settings:
    """Settings for one property: `short` examples in CI, `long` under bench.reliability."""
    return settings(max_examples=scale(short, long), deadline=None, suppress_health_check=_QUIET)
