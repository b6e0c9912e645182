"""Run benchmarks: ``python -m bench`` (all) or ``python -m bench cti customers``.

Options: ``--customers N`` (default 1 000 000) for the data benchmarks, ``--database-url`` to
run them on PostgreSQL instead of the SQLite file ``var/bench.db``.
"""
from __future__ import annotations

import argparse
import importlib

BENCHES = {"cti": "bench.cti_throughput", "customers": "bench.customers",
           "pop": "bench.pop_latency", "recommender": "bench.recommender",
           "scores": "bench.scores", "kb": "bench.kb_quality"}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", choices=[*BENCHES, []], default=[])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true",
                        help="keep an already loaded bench database (skip the load figure)")
    args = parser.parse_args()
    for name in args.names or list(BENCHES):
        importlib.import_module(BENCHES[name]).run(customers=args.customers,
                                                   database_url=args.database_url,
                                                   reuse=args.reuse)


if __name__ == "__main__":
    main()
