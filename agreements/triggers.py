"""Database triggers that keep signed and paid records as they are.

pgtrigger's Protect, with two changes: it raises a message of our own, and it has no
escape hatch. pgtrigger's triggers first ask `_pgtrigger_should_ignore()`, which
skips them whenever the session has set `pgtrigger.ignore` to their names, and any
role may set that variable; so the runtime role could switch a Protect trigger off
for its own session without owning anything. These triggers leave that step out.
"""

import pgtrigger
from pgtrigger import compiler


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
    trigger's condition may not."""

    def __init__(self, *, message: str, if_sql: str = "", **kwargs):
        self.message = message
        self.if_sql = if_sql
        super().__init__(**kwargs)

    def get_func(self, model):
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


def history_append_only():
    """The triggers of a pghistory event table: rows are added, never changed or
    removed."""
    return [
        Refuse(
            name="history_append_only",
            operation=pgtrigger.Update | pgtrigger.Delete,
            message="A history entry cannot be changed or deleted.",
        ),
    ]
