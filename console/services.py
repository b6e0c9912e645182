"""Wiring of the database from configuration, shared by the CLI, the web app and the bridge."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from console.db import make_engine, make_session_factory, upgrade


@lru_cache(maxsize=8)
def _engine(url: str, echo: bool) -> Engine:
    return make_engine(url, echo)


def engine_from_config(cfg) -> Engine:
    return _engine(cfg["database"]["url"], bool(cfg.get("database.echo", False)))


def session_factory(cfg, migrate: bool = True) -> sessionmaker[Session]:
    engine = engine_from_config(cfg)
    if migrate:
        upgrade(engine)
    return make_session_factory(engine)
