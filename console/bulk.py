"""Fast bulk insertion of plain row dicts: executemany on SQLite, COPY on PostgreSQL.

The ORM and even Core ``insert()`` cost several microseconds a row; loading tens of millions
of demo rows goes through the driver directly. Rows must carry every column of the table
(missing keys are inserted as NULL).
"""
from __future__ import annotations

import json
from operator import itemgetter
from typing import Sequence

from sqlalchemy import JSON, Table


def bulk_insert(dbapi_conn, dialect: str, table: Table, rows: Sequence[dict]) -> None:
    if not rows:
        return
    columns = [c.name for c in table.columns if c.name in rows[0] or not c.nullable]
    json_cols = {c.name for c in table.columns if isinstance(c.type, JSON)}
    if all(len(r) == len(columns) for r in rows[:1]) and not json_cols & set(columns):
        getter = itemgetter(*columns)
        values = [getter(r) for r in rows]
    else:
        values = [tuple(json.dumps(r[c]) if c in json_cols and r.get(c) is not None
                        else r.get(c) for c in columns) for r in rows]
    insert_rows(dbapi_conn, dialect, table.name, columns, values)


def insert_rows(dbapi_conn, dialect: str, table_name: str, columns: Sequence[str],
                values: Sequence[tuple]) -> None:
    """Row tuples (plain Python values, JSON already encoded) in the order of ``columns``."""
    cols = ", ".join(columns)
    cur = dbapi_conn.cursor()
    try:
        if dialect == "postgresql":
            with cur.copy(f"COPY {table_name} ({cols}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
        else:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table_name} ({cols}) VALUES ({marks})", values)
    finally:
        cur.close()
