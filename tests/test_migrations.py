"""The same Alembic migrations build the schema on SQLite and PostgreSQL, and match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from console.db import downgrade, upgrade
from console.models import Base


def test_schema_matches_models(migrated_engine):
    with migrated_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again(migrated_engine):
    downgrade(migrated_engine, "base")
    assert "customers" not in inspect(migrated_engine).get_table_names()
    upgrade(migrated_engine)
    names = set(inspect(migrated_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names


def test_sqlite_table_rebuild_keeps_rows_and_foreign_keys_back_on(tmp_path):
    """Migration 0006 rebuilds the customers table on SQLite (batch mode) with foreign keys
    off (SQLite otherwise checks every child row while dropping the old table); rows, ids
    and references survive, and the connections get foreign keys back on."""
    from sqlalchemy import text
    from console.db import make_engine
    from console.demo.loader import load_demo
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    load_demo(engine, 30, seed=2, progress=False)
    downgrade(engine, "0005")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT id, last_name FROM customers ORDER BY id")).all()
        phones = conn.execute(text("SELECT COUNT(*) FROM phones")).scalar_one()
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, last_name FROM customers ORDER BY id")).all() \
            == before
        assert conn.execute(text("SELECT COUNT(*) FROM phones")).scalar_one() == phones
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()
