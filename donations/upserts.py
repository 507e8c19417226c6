"""INSERT … ON CONFLICT for the rows two deliveries may race to write, in statements that
SQLAlchemy compiles once.

SQLAlchemy 2.0 builds ON CONFLICT per dialect but cannot cache it (the dialects' `Insert` is
`inherit_cache = False`), so every webhook compiled each of its inserts again: about a
tenth of a delivery's time. Here each is written once per table and set of columns as a
text statement with typed parameters, which SQLAlchemy caches like any other; PostgreSQL
and SQLite (3.35 and later) share the syntax.
"""

from functools import cache

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.sql.elements import TextClause

from donations.extensions import db


def _quote(name: str) -> str:
    return f'"{name}"'  # the standard's quoting, the same on both databases


@cache
def _statement(
    table: Table, names: tuple[str, ...], on_conflict: str, returning: str
) -> TextClause:
    """Names are the table's own columns (`table.c[name]` refuses any other); values are
    always parameters."""
    columns = ", ".join(_quote(name) for name in names)
    values = ", ".join(f":{name}" for name in names)
    sql = (
        f"INSERT INTO {_quote(table.name)} ({columns}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT {on_conflict} RETURNING {returning}"
    )
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in names))


def _all_columns(table: Table) -> str:
    return ", ".join(_quote(column.name) for column in table.columns)


def _with_defaults(table: Table, values: dict) -> dict:
    """The values given, and each Python-side default the ORM would have filled in."""
    filled = dict(values)
    for column in table.columns:
        default = column.default
        if column.name not in filled and default is not None and not column.primary_key:
            filled[column.name] = default.arg(None) if default.is_callable else default.arg
    return filled


def insert_new(model, **values) -> bool:
    """Insert a row unless one with the same unique key exists; True when this one went in.

    One statement (INSERT … ON CONFLICT DO NOTHING) where a savepoint would cost three."""
    table = model.__table__
    values = _with_defaults(table, values)
    key = ", ".join(_quote(column.name) for column in table.primary_key.columns)
    statement = _statement(table, tuple(values), "DO NOTHING", key)
    return db.session.connection().execute(statement, values).first() is not None


@cache
def _loading(model, statement: TextClause, refreshing: bool):
    """The model's rows from a statement, as one query object (built once, its cache key too)."""
    query = select(model).from_statement(statement)
    return query.execution_options(populate_existing=True) if refreshing else query


@cache
def _typed(statement: TextClause, table: Table):
    """The statement's rows with the table's column types (its datetimes aware, say)."""
    return statement.columns(*table.columns)


def insert_new_values(model, **values):
    """As insert_new, giving the new row's columns as a Row, with no model loaded (None when
    one was there already)."""
    table = model.__table__
    values = _with_defaults(table, values)
    statement = _statement(table, tuple(values), "DO NOTHING", _all_columns(table))
    return db.session.connection().execute(_typed(statement, table), values).first()


def insert_new_row(model, **values):
    """As insert_new, giving the new row as the model (None when one was there already)."""
    table = model.__table__
    values = _with_defaults(table, values)
    statement = _statement(table, tuple(values), "DO NOTHING", _all_columns(table))
    return db.session.scalars(_loading(model, statement, False), values).first()


def _upsert(model, key: str, update: dict[str, str], values: dict, returning: str):
    table = model.__table__
    values = _with_defaults(table, values)
    assignments = ", ".join(f"{_quote(name)} = {sql}" for name, sql in update.items())
    on_conflict = f"({_quote(key)}) DO UPDATE SET {assignments}"
    return _statement(table, tuple(values), on_conflict, returning), values


def insert_or_update_columns(
    model, key: str, update: dict[str, str], returning: tuple, *, also: str = "", **values
):
    """As insert_or_update, giving only the `returning` columns of the row (as a Row), and the
    SQL expression `also` if given (a constant string, never a value), with no model loaded;
    a copy of the row this session holds is read again when next used."""
    names = ", ".join(map(_quote, ("id", *returning)))
    statement, values = _upsert(model, key, update, values, f"{names}, {also}" if also else names)
    row = db.session.connection().execute(statement, values).one()
    read_again_when_used(model, row.id)
    return row


def read_again_when_used(model, key) -> None:
    """After a write past the ORM: the copy of that row this session holds, if any, is read
    again from the database when next used."""
    loaded = db.session.identity_map.get(db.session.identity_key(model, key))
    if loaded is not None:
        db.session.expire(loaded)


def insert_or_update(model, key: str, update: dict[str, str], **values):
    """Insert a row, or where one has the same `key` set each column of `update` to the SQL
    given for it (`excluded.name` is the value this insert brought); the row as the model,
    read again from the database either way."""
    statement, values = _upsert(model, key, update, values, _all_columns(model.__table__))
    return db.session.scalars(_loading(model, statement, True), values).one()
