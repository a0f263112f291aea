"""Database triggers that keep signed and paid records as they are.

pgtrigger's Protect, with two changes: it raises a message of our own, and it has no
escape hatch. pgtrigger's triggers first ask `_pgtrigger_should_ignore()`, which
skips them whenever the session has set `pgtrigger.ignore` to their names, and any
role may set that variable; so the runtime role could switch a Protect trigger off
for its own session without owning anything. These triggers leave that step out.

One narrow way through remains, for erasure (GDPR art. 17) and retention: a trigger
built with `erasable` columns lets an UPDATE pass when the transaction has set
`servicepunkter.erasure` to 'on' (`erasure_allowed()`, a `set_config(..., true)`
that ends with the transaction) and the update does nothing but blank those columns
('' or NULL); every other column must stay as it was, and a DELETE is refused as
before. The runtime role can set that flag as any code it runs can; what it gains
is the power to destroy personal data in the history, never to rewrite, forge or
remove a record: a blanked value is all the flag allows. privacy.erasure and
privacy.retention are the only callers, and they log what they did.
"""

from contextlib import contextmanager

import pgtrigger
from django.db import connection, transaction
from pgtrigger import compiler

ERASURE_SETTING = "servicepunkter.erasure"


@contextmanager
def erasure_allowed():
    """Let the erasable columns of protected rows be blanked while the block runs.

    The flag is transaction-local and set inside a savepoint: should the block
    fail, rolling the savepoint back switches it off again with everything else."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [ERASURE_SETTING])
        yield
        cursor.execute("SELECT set_config(%s, '', true)", [ERASURE_SETTING])


def erasure_exemption_sql(columns) -> str:
    """PL/pgSQL letting through an UPDATE that only blanks `columns`, when the
    transaction has switched erasure on."""
    names = "ARRAY[" + ", ".join(f"'{column}'" for column in columns) + "]"
    blanked = " AND ".join(
        f"(NEW.{column} IS NOT DISTINCT FROM OLD.{column}"
        f" OR NEW.{column} IS NULL OR NEW.{column}::text = '')"
        for column in columns
    )
    return (
        "IF TG_OP = 'UPDATE'"
        f" AND current_setting('{ERASURE_SETTING}', true) = 'on'"
        f" AND (to_jsonb(OLD) - {names}::text[]) = (to_jsonb(NEW) - {names}::text[])"
        f" AND {blanked} THEN RETURN NEW; END IF; "
    )


class UpsertTriggerSqlWithoutIgnore(compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without the `_pgtrigger_should_ignore` step."""

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


class Refuse(pgtrigger.Protect):
    """Refuse the operation, when the condition holds, with `message` (SQLSTATE
    23000, integrity constraint violation: Django raises IntegrityError).

    `if_sql`, a test the function makes, may look at other tables, which a
    trigger's condition may not.

    `erasable`: database columns an UPDATE may blank while erasure is allowed (see
    the module's docstring); nothing else passes.
    """

    def __init__(
        self, *, message: str, if_sql: str = "", erasable: tuple = (), **kwargs
    ):
        self.message = message
        self.if_sql = if_sql
        self.erasable = tuple(erasable)
        super().__init__(**kwargs)

    def get_func(self, model):
        exemption = erasure_exemption_sql(self.erasable) if self.erasable else ""
        return exemption + self.refusal_func()

    def refusal_func(self):
        literal = self.message.replace("'", "''")
        refusal = (
            f"RAISE EXCEPTION USING MESSAGE = '{literal}', "
            "ERRCODE = 'integrity_constraint_violation';"
        )
        if not self.if_sql:
            return refusal
        return (
            f"IF {self.if_sql} THEN {refusal} END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
        )

    def compile(self, model):
        compiled = super().compile(model)
        return compiler.Trigger(
            name=compiled.name,
            sql=UpsertTriggerSqlWithoutIgnore(**compiled.sql.kwargs),
        )


class AllOf(pgtrigger.Condition):
    """All of the given conditions (pgtrigger combines only its Q objects)."""

    def __init__(self, *conditions):
        self.conditions = conditions
        super().__init__(sql="-")

    def resolve(self, model):
        # pgtrigger writes `WHEN <condition>`: the whole needs its own parentheses.
        return (
            "(" + " AND ".join(f"({c.resolve(model)})" for c in self.conditions) + ")"
        )


class AnyOf(pgtrigger.Condition):
    """Any of the given conditions."""

    def __init__(self, *conditions):
        self.conditions = conditions
        super().__init__(sql="-")

    def resolve(self, model):
        return "(" + " OR ".join(f"({c.resolve(model)})" for c in self.conditions) + ")"


def history_append_only(*, erasable: tuple = ()):
    """The triggers of a pghistory event table: rows are added, never changed or
    removed; only erasure may blank the `erasable` columns (the copies of personal
    fields that are not kept as a public record)."""
    return [
        Refuse(
            name="history_append_only",
            operation=pgtrigger.Update | pgtrigger.Delete,
            message="A history entry cannot be changed or deleted.",
            erasable=erasable,
        ),
    ]
