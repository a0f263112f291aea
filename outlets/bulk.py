"""Inserting many new rows with PostgreSQL COPY.

`bulk_create` sends each batch as one large parameterised INSERT, which psycopg and
Django spend most of a national import composing; COPY streams the same rows in a
fraction of the time. Primary keys are drawn from the table's sequence first, so the
new objects can be referred to (contacts to their outlets) like saved ones.
"""

from django.db import connection


def bulk_insert(objects):
    """Insert unsaved instances of one model with COPY and give them their keys."""
    objects = list(objects)
    if not objects:
        return objects
    opts = type(objects[0])._meta
    fields = opts.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(opts.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = pk
            # Foreign keys to objects saved earlier in the same import.
            instance._prepare_related_fields_for_save(operation_name="bulk_insert")
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for instance in objects:
                copy.write_row(
                    [
                        field.get_db_prep_save(
                            field.pre_save(instance, True), connection
                        )
                        for field in fields
                    ]
                )
    for instance in objects:
        instance._state.adding = False
        instance._state.db = connection.alias
    return objects
