"""Relais command-line entry point: ``relais <command>`` or ``python -m relais <command>``.

Each part of the system registers its own subcommands (``<part>/cli.py``); this module only
assembles them and loads the configuration.
"""
from __future__ import annotations

import argparse
import logging
import sys

from config import ConfigError, load_config

PARTS = ("console.cli", "cti.cli", "scripts_library.cli", "web.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relais", description="Relais — console d'agent de centre d'appels avec CTI.")
    parser.add_argument("--config", help="fichier TOML chargé par-dessus config/default.toml")
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    import importlib
    for name in PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        print(f"relais: configuration invalide : {exc}", file=sys.stderr)
        return 2
    return int(args.handler(cfg, args) or 0)


if __name__ == "__main__":
    sys.exit(main())
