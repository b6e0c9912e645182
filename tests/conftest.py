"""Shared fixtures: real databases (SQLite file and PostgreSQL), real Redis, the AMI captures."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from config import load_config
from console.db import make_engine, make_session_factory, upgrade
from console.models import Base

ROOT = Path(__file__).resolve().parent.parent
# The shared folder (AMI captures) lies beside the checkout; RELAIS_SHARED_DIR points elsewhere.
SHARED = Path(os.environ.get("RELAIS_SHARED_DIR", ROOT.parent / "shared"))
PG_URL = os.environ.get("RELAIS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("RELAIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def cfg():
    return load_config(environ={})


def _pg_engine(schema: str):
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(f"{PG_URL}?options=-csearch_path%3D{schema}")


def _drop_pg_schema(schema: str) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated_engine(request, tmp_path_factory):
    """A migrated database of each kind, shared by the tests of one session."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'relais.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
    else:
        schema = f"relais_test_{uuid.uuid4().hex[:10]}"
        engine = _pg_engine(schema)
        upgrade(engine)
        yield engine
        engine.dispose()
        _drop_pg_schema(schema)


def clear_tables(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def engine(migrated_engine):
    """An empty migrated database (SQLite and PostgreSQL: tests using it run on both)."""
    clear_tables(migrated_engine)
    yield migrated_engine
    clear_tables(migrated_engine)


@pytest.fixture
def session(engine):
    factory = make_session_factory(engine)
    with factory() as s:
        yield s


@pytest.fixture
def ami_dir() -> Path:
    return SHARED / "ami"
