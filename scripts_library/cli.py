"""Subcommands for call scripts."""
from __future__ import annotations

from pathlib import Path

from config import PROJECT_ROOT


def register(sub) -> None:
    p = sub.add_parser("scripts-validate",
                       help="vérifier les scripts d'appel (étapes inaccessibles, suites "
                            "manquantes, variables inconnues)")
    p.add_argument("files", nargs="*", type=Path, help="fichiers (défaut : tous les scripts)")
    p.set_defaults(handler=cmd_validate)


def _path(value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else PROJECT_ROOT / p


def cmd_validate(cfg, args) -> int:
    from scripts_library.engine import ScriptError, load_file, load_objections, validate

    objections = load_objections(_path(cfg.get("scripts.objections")))
    files = args.files or sorted(_path(cfg.get("scripts.folder")).glob("*.toml"))
    problems = 0
    for path in files:
        try:
            found = validate(load_file(path), objections)
        except (ScriptError, OSError) as exc:
            print(exc)
            problems += 1
            continue
        for p in found:
            print(p)
        problems += len(found)
    print(f"{len(files)} script(s), {problems} problème(s)")
    return 1 if problems else 0
