"""Stream generated demo data into the database, with a progress bar."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select, text
from tqdm import tqdm

from console.bulk import bulk_insert
from console.demo.generator import TABLES, DemoGenerator
from console.models import Base

CATALOG_TABLES = ("product_families", "product_ranges", "products")


class DatabaseNotEmpty(RuntimeError):
    pass


# Not demo data: the accounts, the audit trail (who saw and changed customer data) and the
# knowledge base's history survive a reset.
KEPT_TABLES = ("users", "audit_log", "kb_revisions")


def reset_data(engine: Engine) -> None:
    """Delete every row of the customer, catalogue and computed tables (children first).

    PostgreSQL truncates them in one statement: DELETE checks every foreign key row by row
    (over five minutes for the contacts of a million customers)."""
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)}"))
            return
        for table in tables:
            conn.execute(table.delete())


def load_demo(engine: Engine, customers: int, seed: int = 42, today: date | None = None,
              business: str = "banque_assurance", company_share: float = 0.15,
              chunk_size: int = 2000, progress: bool = True, reset: bool = False) -> dict:
    """Generate and insert ``customers`` demo customers; returns row counts per table."""
    meta = Base.metadata.tables
    with engine.connect() as conn:
        existing = conn.execute(select(func.count()).select_from(meta["customers"])).scalar_one()
    if existing and not reset:
        raise DatabaseNotEmpty(f"la base contient déjà {existing} clients (utiliser --reset)")
    # no customer yet: what an interrupted load left (its catalogue) is cleared too
    reset_data(engine)
    gen = DemoGenerator(business, seed, today, company_share)
    counts = {t: 0 for t in CATALOG_TABLES + TABLES}
    with engine.begin() as conn:
        for table, rows in gen.catalog_rows().items():
            conn.execute(meta[table].insert(), rows)
            counts[table] = len(rows)
    bar = tqdm(total=customers, unit="clients", disable=not progress, desc="Données de démo")
    raw = engine.raw_connection()
    try:
        for chunk in gen.chunks(customers, chunk_size):
            for table in TABLES:
                bulk_insert(raw, engine.dialect.name, meta[table], chunk[table])
                counts[table] += len(chunk[table])
            raw.commit()
            bar.update(len(chunk["customers"]))
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
        bar.close()
    _reset_sequences(engine)
    _analyze(engine)
    return counts


def _analyze(engine: Engine) -> None:
    """Fresh statistics for the query planners: right after a bulk load PostgreSQL has none
    yet and picks sequential scans (caller lookup 4 ms instead of a fraction of one)."""
    with engine.begin() as conn:
        for table in CATALOG_TABLES + TABLES:
            conn.execute(text(f"ANALYZE {table}"))


def _reset_sequences(engine: Engine) -> None:
    """Ids were given explicitly; move PostgreSQL sequences past them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
