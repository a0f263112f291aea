"""The protection triggers moved to core.triggers, so that the history of every app
can use them; migrations written before name them here."""

from core.triggers import (  # noqa: F401
    AllOf,
    Refuse,
    UpsertTriggerSqlWithoutIgnore,
    history_append_only,
)
