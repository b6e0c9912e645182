"""Shared helpers: JSON-lines output, percentiles, peak memory."""
from __future__ import annotations

import glob
import json
import os
import resource
import sys
import threading


def emit(metric: str, value, unit: str, **extra) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra},
                     ensure_ascii=False), flush=True)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def emit_latency(metric: str, timings_ms: list[float], target: float, digits: int = 2,
                 **extra) -> None:
    """``metric``.p50 (with the sample size and ``extra``) and ``metric``.p99 (with its
    target) of timings in milliseconds."""
    timings = sorted(timings_ms)
    emit(f"{metric}.p50", round(percentile(timings, 50), digits), "ms", n=len(timings), **extra)
    emit(f"{metric}.p99", round(percentile(timings, 99), digits), "ms", target=target)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Peak memory of this process and its worker processes together, sampled while the
    block runs: the sum of their proportional set sizes (shared pages, such as SQLite's
    memory-mapped file read by several workers, counted once)."""

    def __init__(self, interval: float = 0.2):
        self.interval, self.peak_mb = interval, 0.0
        self._stop = threading.Event()

    def __enter__(self) -> "TreeMemory":
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, sum(_pss_kb(pid) for pid in _tree(os.getpid())) / 1024)
            if self._stop.wait(self.interval):
                return


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for children in glob.glob(f"/proc/{current}/task/*/children"):
            try:
                todo += [int(p) for p in open(children).read().split()]
            except OSError:
                pass
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
