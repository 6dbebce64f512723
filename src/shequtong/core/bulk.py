"""Writes the ORM makes too slow: ledgers of hundreds of thousands of rows, and the few rows
of one report written on every request.

The ORM's `bulk_create` spends most of its time preparing values field by field and building
one huge INSERT. On PostgreSQL, `COPY … FROM STDIN` takes the rows as they are: ids are
reserved from the table's sequence first (so callers can link children to their parents),
then the rows stream in. For a handful of rows in several tables, `insert_together` sends
one statement instead of one per table. Other databases (SQLite, the embedded default) use
`bulk_create`. Both paths give the same rows: same ids set on the instances, same encrypted
and indexed values, same `auto_now` times.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from .fields import BlindIndexField, EncryptedTextField
from .vault import sealed

M = TypeVar("M", bound=models.Model)


def _writer(field: models.Field, now: Any) -> Callable[[models.Model], Any]:
    """How to read the value the ORM would write for `field`, decided once per column rather
    than once per value (a ledger's million rows times fifty columns)."""
    attname = field.attname
    if isinstance(field, BlindIndexField):
        return lambda obj: field.pre_save(obj, add=True)
    if isinstance(field, EncryptedTextField):
        return lambda obj: sealed(getattr(obj, attname))
    if getattr(field, "auto_now", False):

        def stamped(obj: models.Model) -> Any:
            setattr(obj, attname, now)
            return now

        return stamped
    if getattr(field, "auto_now_add", False):

        def created(obj: models.Model) -> Any:
            # Kept if the caller set it: a case's number, quoted before it is written, is
            # made from its creation time.
            value = getattr(obj, attname) or now
            setattr(obj, attname, value)
            return value

        return created
    if isinstance(field, models.JSONField):
        return lambda obj: json.dumps(getattr(obj, attname), ensure_ascii=False, cls=field.encoder)
    if isinstance(field, models.FileField):
        return lambda obj: field.get_prep_value(getattr(obj, attname))  # the file's name
    if field.has_default() and not field.null:

        def defaulted(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            if value is None:
                value = field.get_default()
                setattr(obj, attname, value)
            return value

        return defaulted
    return attrgetter(attname)


def insert_many(objs: Sequence[M]) -> Sequence[M]:
    """INSERT every instance of one model, setting their primary keys."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=1000)
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    _reserve_pks(objs)
    with connection.cursor() as cursor:
        copy_sql = f"COPY {table} ({connection.ops.quote_name(pk.column)}, {columns}) FROM STDIN"
        writers = [_writer(f, now) for f in fields]
        with cursor.cursor.copy(copy_sql) as copy:
            for obj in objs:
                copy.write_row([obj.pk, *[write(obj) for write in writers]])
    _saved(objs)
    return objs


def _reserve_pks(objs: Sequence[models.Model]) -> None:
    """Ids for instances of one model from its sequence (PostgreSQL), in one round trip."""
    meta = objs[0]._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, value)


def _saved(objs: Sequence[models.Model]) -> None:
    """What the ORM records on an instance it has inserted."""
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def reserve_pk(obj: models.Model) -> None:
    """Give an unsaved `obj` its id before it is written, so the rows that name it (its
    children, a message quoting its number) can be built first and all go to
    `insert_together`. PostgreSQL takes the id from the table's sequence; other databases have
    none and insert the row here — callers hold a transaction there."""
    if connection.vendor != "postgresql":
        obj.save(force_insert=True)
        return
    _reserve_pks([obj])


def held_together(*, alone: bool = True) -> AbstractContextManager[Any]:
    """What to wrap `reserve_pk` and `insert_together` in: nothing on PostgreSQL when they are
    `alone` outside any transaction (one statement is atomic by itself, and a transaction
    would cost two more round trips); a transaction — a savepoint inside another, so that a
    refused row leaves the outer one usable — otherwise, and always elsewhere (`reserve_pk`
    inserts there)."""
    if alone and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return nullcontext()
    return transaction.atomic()


def insert_together(objs: Sequence[models.Model]) -> None:
    """INSERT rows of several models in one statement on PostgreSQL: one round trip, atomic
    without a transaction around it (data-modifying CTEs, one per table; Django's foreign keys
    are checked at the end). Elsewhere one `bulk_create` per model, in the caller's
    transaction. Rows already written (by `reserve_pk`) are skipped; every row gets its id."""
    # One INSERT per table and kind of row: with its id reserved, or taking one.
    groups: dict[tuple[type[models.Model], bool], list[models.Model]] = {}
    for obj in objs:
        if obj._state.adding:
            groups.setdefault((type(obj), obj.pk is not None), []).append(obj)
    if connection.vendor != "postgresql":
        for (model, _), rows in groups.items():
            model._default_manager.bulk_create(rows)
        return
    quote = connection.ops.quote_name
    now = timezone.now()
    inserts: list[str] = []
    params: list[Any] = []
    for (model, reserved), rows in groups.items():
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or reserved]
        writers = [_writer(f, now) for f in fields]
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        inserts.append(
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608  (identifiers from meta)
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([placeholders] * len(rows))} RETURNING {quote(pk.column)}"
        )
        params += [write(obj) for obj in rows for write in writers]
    # Each table's ids come back tagged with its place in `groups`.
    ctes = ", ".join(f"i{n} AS ({insert})" for n, insert in enumerate(inserts))
    tagged = " UNION ALL ".join(f"SELECT {n}, * FROM i{n}" for n in range(len(inserts)))  # noqa: S608
    statement = f"WITH {ctes} {tagged}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        returned = cursor.fetchall()
    for n, ((_, reserved), rows) in enumerate(groups.items()):
        if not reserved:
            # Ids the sequence gives rise in the order the rows were listed.
            ids = sorted(value for group, value in returned if group == n)
            for obj, value in zip(rows, ids, strict=True):
                setattr(obj, obj._meta.pk.attname, value)
        _saved(rows)


def set_column(model: type[models.Model], column: str, values: dict[int, int]) -> int:
    """`UPDATE model SET column = values[pk] WHERE pk IN values AND column IS NULL`.

    One statement on PostgreSQL (from two arrays); `bulk_update`'s CASE WHEN grows with the
    batch and was a tenth of the whole import's time.
    """
    if not values:
        return 0
    field = model._meta.get_field(column)
    if connection.vendor != "postgresql":
        rows = list(model._default_manager.filter(pk__in=values, **{f"{column}__isnull": True}))
        for row in rows:
            setattr(row, field.attname, values[row.pk])
        return model._default_manager.bulk_update(rows, [column], batch_size=1000)
    quote = connection.ops.quote_name
    table, target = quote(model._meta.db_table), quote(field.column)
    # Identifiers come from the model's meta, quoted; the values are parameters.
    statement = (
        f"UPDATE {table} t SET {target} = v.value "  # noqa: S608
        "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, value) "
        f"WHERE t.{quote(model._meta.pk.column)} = v.id AND t.{target} IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [list(values), list(values.values())])
        return cursor.rowcount
