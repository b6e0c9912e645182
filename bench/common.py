"""Shared helpers: JSON-lines output, percentiles, peak memory."""
from __future__ import annotations

import json
import resource
import sys


def emit(metric: str, value, unit: str, **extra) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra},
                     ensure_ascii=False), flush=True)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
