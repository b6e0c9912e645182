"""Alembic environment: the engine is handed over by console.db through config.attributes."""
from alembic import context

from console.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table and drops the old one; with foreign keys on,
            # SQLite checks every child row of every referencing table while dropping
            # (customers at 1 M: over 15 minutes). The pragma only works outside a
            # transaction, hence before it; the copy keeps the rows and their ids.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                context.configure(connection=connection, target_metadata=target_metadata,
                                  render_as_batch=sqlite, compare_type=True)
                with context.begin_transaction():
                    context.run_migrations()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations_online()
