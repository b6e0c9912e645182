"""Subcommands for the customer data: schema, demo data, import, lookups."""
from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from pathlib import Path

from console.services import engine_from_config, session_factory


def register(sub) -> None:
    p = sub.add_parser("db-upgrade", help="appliquer les migrations du schéma")
    p.set_defaults(handler=cmd_db_upgrade)

    p = sub.add_parser("demo-data", help="générer les données de démonstration")
    p.add_argument("--customers", type=int, help="nombre de clients (jusqu'à 1 000 000)")
    p.add_argument("--seed", type=int, help="graine (même graine, mêmes données)")
    p.add_argument("--today", type=date.fromisoformat, help="date de référence AAAA-MM-JJ")
    p.add_argument("--reset", action="store_true",
                   help="effacer clients, catalogue et scores avant de charger (comptes, "
                        "journal d'audit et historique de la base de connaissances gardés)")
    p.add_argument("--if-empty", action="store_true", help="ne rien faire si la base a des clients")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=cmd_demo_data)

    p = sub.add_parser("import-customers", help="importer des clients depuis un CSV")
    p.add_argument("file", type=Path)
    p.add_argument("--report", type=Path, help="rapport CSV des lignes créées, fusionnées, rejetées")
    p.add_argument("--on-duplicate", choices=["merge", "report"])
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("identify", help="identifier un appelant par son numéro")
    p.add_argument("number")
    p.set_defaults(handler=cmd_identify)

    p = sub.add_parser("scores", help="recalculer segments, valeur et alertes de tous les clients")
    p.add_argument("--today", type=date.fromisoformat, help="date de référence AAAA-MM-JJ")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=cmd_scores)

    p = sub.add_parser("monitor", help="suivre les appels en direct dans le terminal")
    p.set_defaults(handler=cmd_monitor)

    p = sub.add_parser("record", help="afficher la fiche client unifiée (JSON)")
    p.add_argument("customer_id", type=int)
    p.set_defaults(handler=cmd_record)


def cmd_db_upgrade(cfg, args) -> int:
    session_factory(cfg, migrate=True)
    print("schéma à jour")
    return 0


def cmd_demo_data(cfg, args) -> int:
    from console.demo.loader import DatabaseNotEmpty, load_demo
    from sqlalchemy import func, select
    from console.models import Customer

    factory = session_factory(cfg)
    if args.if_empty:
        with factory() as s:
            if s.scalar(select(func.count()).select_from(Customer)):
                print("données déjà présentes")
                return 0
    demo = cfg.section("demo")
    try:
        counts = load_demo(engine_from_config(cfg), args.customers or demo["customers"],
                           seed=demo["seed"] if args.seed is None else args.seed,
                           today=args.today, business=demo["business"],
                           company_share=demo["company_share"],
                           progress=not args.no_progress, reset=args.reset)
    except DatabaseNotEmpty as exc:
        print(f"relais: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(counts, ensure_ascii=False))
    return 0


def cmd_import(cfg, args) -> int:
    from console.importer import CustomerImporter, ImportFailed

    import_cfg = dict(cfg.section("import"))
    if args.on_duplicate:
        import_cfg["on_duplicate"] = args.on_duplicate
    factory = session_factory(cfg)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"relais: {exc}", file=sys.stderr)
        return 2
    with factory() as session:
        importer = CustomerImporter(session, getpass.getuser(), cfg.section("phone"), import_cfg)
        try:
            report = importer.run(data)
        except ImportFailed as exc:
            print(f"relais: import annulé, rien n'a été enregistré : {exc}", file=sys.stderr)
            return 1
    if args.report:
        report.write_csv(args.report)
    for outcome in report.outcomes:
        if outcome.status != "created":
            print(f"ligne {outcome.line}: {outcome.status}: {outcome.reason}")
    print(json.dumps(report.summary, ensure_ascii=False))
    return 0


def cmd_identify(cfg, args) -> int:
    from console.caller_lookup import identify_caller

    with session_factory(cfg)() as session:
        result = identify_caller(session, args.number, cfg.section("phone"))
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return 0


def cmd_record(cfg, args) -> int:
    from console.record import CustomerNotFound, build_record

    with session_factory(cfg)() as session:
        try:
            record = build_record(session, args.customer_id, cfg.section("record"), cfg)
        except CustomerNotFound as exc:
            print(f"relais: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0


def cmd_monitor(cfg, args) -> int:
    from config.redis_service import connect
    from console.monitor import run_monitor

    try:
        run_monitor(cfg, connect(cfg), session_factory(cfg))
    except KeyboardInterrupt:
        pass
    return 0


class _Args:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def cmd_scores(cfg, args) -> int:
    from console.segmentation.engine import recompute_all

    session_factory(cfg)  # migrations
    result = recompute_all(engine_from_config(cfg), cfg, today=args.today,
                           progress=not args.no_progress)
    print(json.dumps(result, ensure_ascii=False))
    return 0
