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
