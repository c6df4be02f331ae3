"""Hand-made SQL where the ORM's cost shows: queries compiled once and run many times (the hot
reads of plans and sign-in), and the rows of a model as an INSERT's source (a new plan's write)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import orjson
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router
from django.db.models import Field as DjangoField
from django.db.models import Model, QuerySet, UUIDField


class CompiledRows:
    """A `values_list()` query compiled to SQL once per database connection, then run with new
    values. Building and compiling a QuerySet costs ~0.25 ms of CPU, several times what running
    these small indexed queries costs, and the plan reads run the same few on every request.

    `build(*values)` returns the QuerySet (unsliced: `rows(low=, high=)` add the backend's
    LIMIT/OFFSET as the compiler would). It is compiled once with a unique sentinel for each
    value; where the sentinels land among the SQL's parameters is where a call's values go,
    prepared for the database as `field` (the model field they are compared with) prepares
    them. With `variadic`, every value is compared with `field` and each number of values is
    compiled once. Rows are converted as the QuerySet converts them (dates, decimals, ...).

    The compiled forms live on the connection object they were compiled for, so they go with
    it (a thread's or a request's connection under runserver or ASGI) instead of piling up.
    With `for_write` the query runs on the model's write database (a read that locks rows);
    `instances()` gives the rows as the model's instances, for a `build` that selects every
    concrete field's attname in order (`concrete_attnames`).
    """

    def __init__(
        self,
        model,
        build: Callable[..., QuerySet],
        *fields: DjangoField,
        variadic: bool = False,
        for_write: bool = False,
    ) -> None:
        self.model = model
        self.build = build
        self.fields = fields
        self.variadic = variadic
        self.for_write = for_write

    def _database(self) -> str:
        route = router.db_for_write if self.for_write else router.db_for_read
        return route(self.model)

    def _fields(self, count: int) -> Sequence[DjangoField]:
        return self.fields * count if self.variadic else self.fields

    def _compile(self, connection, count: int) -> tuple:
        fields = self._fields(count)
        sentinels = [_sentinel(field, index) for index, field in enumerate(fields)]
        compiler = self.build(*sentinels).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        prepared = [
            field.get_db_prep_value(sentinel, connection, prepared=False)
            for field, sentinel in zip(fields, sentinels, strict=True)
        ]
        places = []  # per parameter: (True, index of the value) or (False, the constant)
        for param in params:
            matches = [index for index, value in enumerate(prepared) if value == param]
            places.append((True, matches[0]) if matches else (False, param))
        if sorted(place for is_value, place in places if is_value) != list(range(count)):
            raise ImproperlyConfigured(f"Each value needs one place among the parameters: {sql}")
        selected = [column[0] for column in compiler.select[: compiler.col_count]]
        compiled = (sql, places, compiler, compiler.get_converters(selected))
        _compiled_on(connection)[self, count] = compiled
        return compiled

    def instances(self, *values) -> list[Model]:
        """The rows as instances of the model, as a QuerySet of it loads them."""
        database = self._database()
        names = concrete_attnames(self.model)
        return [self.model.from_db(database, names, row) for row in self.rows(*values)]

    def rows(self, *values, low: int = 0, high: int | None = None) -> list[tuple]:
        connection = connections[self._database()]
        compiled = _compiled_on(connection).get((self, len(values)))
        if compiled is None:
            compiled = self._compile(connection, len(values))
        sql, places, compiler, converters = compiled
        prepared = [
            field.get_db_prep_value(value, connection, prepared=False)
            for field, value in zip(self._fields(len(values)), values, strict=True)
        ]
        params = [prepared[place] if is_value else place for is_value, place in places]
        if low or high is not None:
            sql = f"{sql} {connection.ops.limit_offset_sql(low, high)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            return [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


def concrete_attnames(model: type[Model]) -> tuple[str, ...]:
    """The columns a model instance is loaded from, in `Model.from_db`'s order."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def _compiled_on(connection) -> dict[tuple[CompiledRows, int], tuple]:
    """The compiled queries kept on this connection object, by (query, number of values)."""
    return connection.__dict__.setdefault("_careerplan_compiled_rows", {})


def _sentinel(field: DjangoField, index: int) -> UUID | int:
    """A value no real parameter equals, of the type `field` (or the field it refers to) takes."""
    target = getattr(field, "target_field", field)
    if isinstance(target, UUIDField):
        return UUID(int=0x5E471E1_0000_0000 + index)
    return -987_654_321 - index


# --- rows to insert ------------------------------------------------------------------------

ORDINAL = "_ordinal"  # a `json_rows_source` row's place in its list, from 1


def insert_fields(model: type[Model], *, exclude: Iterable[str] = ()) -> list[DjangoField]:
    """The fields an INSERT of `model` sets, as `bulk_create` sets them: every concrete field
    but those the database fills (the auto-incremented primary key, generated columns) and
    `exclude` (names of fields the statement fills another way). A field with a database
    default is refused: rows sent as JSON cannot ask for DEFAULT."""
    excluded = set(exclude)
    fields = []
    for field in model._meta.concrete_fields:
        if field is model._meta.auto_field or field.generated or field.name in excluded:
            continue
        if field.has_db_default():
            raise ImproperlyConfigured(f"{field} has a db_default: give it a Python default.")
        fields.append(field)
    return fields


def json_rows_source(
    fields: Sequence[DjangoField], connection, alias: str, *, keys: dict[str, str] | None = None
) -> str:
    """`ROWS FROM (jsonb_to_recordset(%s::jsonb) AS (column type, ...)) WITH ORDINALITY AS
    alias(column, ..., ORDINAL)`: rows of `fields` passed as one JSON parameter (`json_rows`),
    numbered in their list's order, a source an INSERT ... SELECT inside a bigger statement can
    join (and order by `alias.ORDINAL`, so ids follow the list as with `bulk_create`). `keys`
    (column name -> database type) come first: columns to join on that are not inserted. One
    parameter instead of one array per column: the driver quotes a single string, and the
    statement's text depends on the models only (keep it). PostgreSQL only."""
    columns = list((keys or {}).items())
    for field in fields:
        # without length or precision, as Django's bulk insert casts: the INSERT checks them
        columns.append((field.column, field.db_type(connection).split("(")[0]))
    quote = connection.ops.quote_name
    definitions = ", ".join(f"{quote(name)} {db_type}" for name, db_type in columns)
    names = ", ".join(quote(name) for name, _db_type in [*columns, (ORDINAL, "")])
    return (
        f"ROWS FROM (jsonb_to_recordset(%s::jsonb) AS ({definitions})) "
        f"WITH ORDINALITY AS {quote(alias)}({names})"
    )


def json_rows(
    objs: Sequence[Model],
    fields: Sequence[DjangoField],
    connection,
    *,
    keys: dict[str, Sequence] | None = None,
) -> str:
    """The parameter of `json_rows_source`: each of `objs` as a JSON object of its `fields`'
    values, prepared as `bulk_create` prepares them (`auto_now` stamps set on the objects too),
    with its `keys` values (column name -> one value per object)."""
    key_values = list((keys or {}).items())
    vendor = connection.vendor
    access = [
        _FIELD_ACCESS.get((id(field), vendor)) or _field_access(field, vendor) for field in fields
    ]
    rows = []
    for index, obj in enumerate(objs):
        row = {name: values[index] for name, values in key_values}
        for field, (_field, attname, stamped, passed_type) in zip(fields, access, strict=True):
            value = field.pre_save(obj, add=True) if stamped else getattr(obj, attname)
            if passed_type is None or not _prepared_as_is(value, passed_type):
                value = field.get_db_prep_save(value, connection)
            row[field.column] = value
        rows.append(row)
    # dates, datetimes (with their offset) and UUIDs as PostgreSQL reads them; decimals as text
    return orjson.dumps(rows, default=_decimal_text).decode()


def _alone_in_autocommit_on_postgresql(connection) -> bool:
    """Whether a statement sent now is a transaction of its own on PostgreSQL, sent as a simple
    query (client-side binding, Django's default for psycopg 3: several statements may go in
    one; server-side binding's prepared statements take one)."""
    return (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
        and not connection.features.uses_server_side_binding
    )


# Django's field classes whose preparation for PostgreSQL (`get_db_prep_save`) gives back a value
# of this type equal to itself (psycopg's integer wrappers aside: int subclasses, the same JSON):
# `json_rows` skips it for such values (a new plan's rows: 0.22 -> 0.07 ms). Exact classes only,
# as a subclass may prepare its values its own way.
_PREPARED_AS_IS = {
    models.AutoField: int,
    models.BigAutoField: int,
    models.BigIntegerField: int,
    models.BooleanField: bool,
    models.CharField: str,
    models.DateField: date,
    models.DateTimeField: datetime,
    models.DecimalField: Decimal,
    models.EmailField: str,
    models.IntegerField: int,
    models.PositiveBigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SlugField: str,
    models.SmallAutoField: int,
    models.SmallIntegerField: int,
    models.TextField: str,
    models.URLField: str,
    models.UUIDField: UUID,
}


# by (id of the field, database vendor): hashing a Field costs more than the lookup saves; each
# entry holds its field, so that no other field can take its id (and keeps it: for the models'
# own fields, which live as long as the process)
_FIELD_ACCESS: dict[tuple[int, str], tuple[DjangoField, str, bool, type | None]] = {}


def _field_access(field: DjangoField, vendor: str) -> tuple[DjangoField, str, bool, type | None]:
    """How `json_rows` takes `field`'s value: its attribute, whether its `pre_save` does more
    than read it (`auto_now` stamps), and the type of value it prepares as is on this
    database (None: prepare every value)."""
    stamped = type(field).pre_save is not DjangoField.pre_save
    prepared = (
        field.target_field if type(field) in (models.ForeignKey, models.OneToOneField) else field
    )
    passed_type = None
    if vendor == "postgresql":  # SQLite, say, stores datetimes and UUIDs as text
        passed_type = _PREPARED_AS_IS.get(type(prepared))
    taken = _FIELD_ACCESS[id(field), vendor] = (field, field.attname, stamped, passed_type)
    return taken


def _prepared_as_is(value, passed_type: type) -> bool:
    if value is None:
        return True  # each class above prepares None as None (the column refuses it or not)
    if type(value) is not passed_type:  # exact: a datetime for a DateField is converted
        return False
    if passed_type is datetime:
        return value.utcoffset() is not None  # a naive one is made aware, with a warning
    if passed_type is Decimal:
        return value.is_finite()  # NaN and infinities are refused
    return True


def _decimal_text(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# --- rows to insert or replace -------------------------------------------------------------


def upsert(
    objs: Sequence[Model],
    *,
    update_fields: Sequence[str],
    connection,
    unless_newer: str | None = None,
    durable: bool = True,
) -> None:
    """Insert `objs` (all of one model, with their primary keys), and for those whose primary
    key is taken replace `update_fields` instead; with `unless_newer` (a field's name), leave
    alone a row whose value of it is greater than the new row's. One `INSERT ... ON CONFLICT
    (pk) DO UPDATE [WHERE]`, which PostgreSQL and SQLite both read: what
    `bulk_create(update_conflicts=True)` writes, without its transaction of its own (two
    round trips when the caller has none) and its compiler: 0.4 ms against 0.8 ms for one
    row. Runs in the caller's transaction, or alone in autocommit.

    `durable=False` is for rows that can be lost and made again (a cache kept in the
    database): alone in autocommit on PostgreSQL, its commit then does not wait for the write-
    ahead log to reach the disk (`SET LOCAL synchronous_commit = off`, in the same round trip).
    A crash may lose the last such rows, never anything committed durably; still atomic and
    consistent. Inside a caller's transaction it changes nothing: that commit is the caller's."""
    if not objs:
        return
    if not update_fields:
        raise ValueError("upsert needs fields to replace on a conflict.")
    model = type(objs[0])
    if model._meta.pk is model._meta.auto_field:
        raise ValueError("upsert conflicts on primary keys the rows carry, not auto-incremented.")
    fields = insert_fields(model)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    updated = [model._meta.get_field(name) for name in update_fields]
    # names from the model's metadata, quoted; every value a parameter
    columns = ", ".join(quote(field.column) for field in fields)
    rows = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(objs))
    replaced = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in updated)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {rows} "  # noqa: S608
        f"ON CONFLICT ({quote(model._meta.pk.column)}) DO UPDATE SET {replaced}"
    )
    if unless_newer is not None:
        newer = quote(model._meta.get_field(unless_newer).column)
        sql += f" WHERE {table}.{newer} <= EXCLUDED.{newer}"
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        for obj in objs
        for field in fields
    ]
    if not durable and _alone_in_autocommit_on_postgresql(connection):
        # one simple query, run as one transaction: the SET is local to it
        sql = f"SET LOCAL synchronous_commit = off; {sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- walking a large table -----------------------------------------------------------------


def keyset_batches(values: QuerySet, field: str, size: int) -> Iterator[list]:
    """`values` (a flat `values_list(field)` ordered by `field`) `size` at a time, each round
    asking only for the values after the last one seen (no OFFSET, so every round costs the
    same however far the walk has gone): for commands that work through every plan or owner."""
    last = None
    while True:
        batch = list((values if last is None else values.filter(**{f"{field}__gt": last}))[:size])
        if not batch:
            return
        yield batch
        last = batch[-1]
