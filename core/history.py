"""The change history of records, as django-pghistory's database triggers keep it
(so bulk changes are there too), in words a user reads."""

import functools
import json
from dataclasses import dataclass, replace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class HistoryEntry:
    at: object
    user: object
    model: str
    action: str
    fields: list
    # Alike changes made together (a checklist's results) show as one line.
    count: int = 1


def _changed_fields(model, diff) -> list[str]:
    """The changed fields in words: each by its verbose name (the diff names foreign
    keys by column), a choice or yes/no field with what it went from and to, and
    without the bookkeeping of a change shown that way (`status_changed_at` beside
    `status`)."""
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    diff = {name: change for name, change in (diff or {}).items() if name in fields}
    told = {name for name in diff if _as_transition(fields[name], diff[name])}
    words = []
    for name, change in diff.items():
        if any(name.startswith(f"{other}_") for other in told):
            continue
        transition = _as_transition(fields[name], change)
        label = str(fields[name].verbose_name)
        words.append(f"{label} {transition}" if transition else label)
    return sorted(words)


def _field_names(model, names) -> set[str]:
    """The names and columns (the diff names foreign keys by column) of the fields."""
    return {
        key
        for field in model._meta.concrete_fields
        if field.name in names
        for key in (field.name, field.attname)
    }


def _as_transition(field, change) -> str:
    """“Planned → Approved” for a choice or yes/no field's change, else ""."""
    if not (isinstance(change, (list, tuple)) and len(change) == 2):
        return ""
    if field.choices:
        labels = {str(value): str(label) for value, label in field.flatchoices}
        before, after = (labels.get(str(value), "–") for value in change)
    elif field.get_internal_type() == "BooleanField":
        before, after = (_("yes") if value else _("no") for value in change)
    else:
        return ""
    return f"{before} → {after}"


def _many_to_many_field(model):
    """The many-to-many field whose through table `model` (or a proxy of it) is, or
    None: linking or unlinking a row there is a change of that field's model."""
    through = model._meta.concrete_model
    source = through._meta.auto_created
    if not source:
        return None
    for field in source._meta.many_to_many:
        if field.remote_field.through is through:
            return field
    return None


def _event_models(models):
    """The event tables of the given tracked models (all of them for None)."""
    from pghistory.models import Event

    return [
        model
        for model in apps.get_models()
        if issubclass(model, Event)
        and not model._meta.proxy
        and (models is None or model.pgh_tracked_model in models)
    ]


@dataclass(frozen=True)
class _Event:
    pgh_obj_model: str
    pgh_id: int
    pgh_created_at: object
    pgh_label: str
    pgh_context: dict | None
    pgh_diff: dict | None


def _concrete(obj):
    return obj._meta.concrete_model


@functools.cache  # models do not change in a running process
def _columns_to(event_model, model) -> tuple[str, ...]:
    """The event table's columns that refer to rows of (concrete) `model`."""
    return tuple(
        field.column
        for field in event_model._meta.fields
        if field.related_model is not None
        and field.related_model._meta.concrete_model is model
    )


def _json(text):
    # Selected as text, decoded here: Django's cursors hand jsonb over as text
    # (for JSONField to decode), other cursors as objects.
    return None if text is None else json.loads(text)


def _diff(data, previous) -> dict | None:
    """{column: [before, after]} of what changed since the object's previous event,
    as django-pghistory's `pgh_diff`; None for its first event or no change."""
    if previous is None:
        return None
    changed = {
        key: [previous[key], value]
        for key, value in data.items()
        if not key.startswith("pgh_") and key in previous and previous[key] != value
    }
    return changed or None


def _events(groups, tracked, models, limit) -> list[_Event]:
    """The newest `limit` events that refer to the objects of `groups` or track
    those in `tracked`, in one query.

    What django-pghistory's Events queryset reads (`references`, `tracks`,
    `across`), but its query per group, a union with three correlated JSON
    subqueries per event table, took longer to plan than to run. Here each table's
    rows come with the object's previous row, and the difference is taken in
    Python. Assumes pghistory's default event fields: `pgh_obj`, and `pgh_context`
    a foreign key to its Context table (this project sets no PGHISTORY_* option)."""
    from pghistory.models import Context

    quote = connection.ops.quote_name
    for objects in groups:
        if len({_concrete(obj) for obj in objects}) > 1:
            raise ValueError("A group of history_of() holds objects of one model.")
    parts, params = [], []
    # Per table, (group's index, column, keys) of each condition, `tracked` last:
    # which group an event came by, for the order of changes made together.
    matchers = {}
    for table_order, event_model in enumerate(_event_models(models)):
        matched = []
        for index, objects in enumerate(groups):
            for column in _columns_to(event_model, _concrete(objects[0])):
                matched.append((index, column, [obj.pk for obj in objects]))
        tracks = event_model._meta.get_field("pgh_obj").related_model
        if tracked and tracks._meta.concrete_model is _concrete(tracked[0]):
            matched.append((len(groups), "pgh_obj_id", [obj.pk for obj in tracked]))
        if not matched:
            continue
        conditions = [f"e.{quote(column)} = ANY(%s)" for _i, column, _k in matched]
        keys = [keys for _i, _column, keys in matched]
        matchers[table_order] = [
            (index, column, {str(key) for key in keys})
            for index, column, keys in matched
        ]
        table = quote(event_model._meta.db_table)
        parts.append(
            f"""(SELECT %s AS table_order, %s AS pgh_obj_model, e.pgh_id,
                e.pgh_created_at, e.pgh_label, c.metadata::text AS pgh_context,
                to_jsonb(e)::text AS data,
                (SELECT to_jsonb(p)::text FROM {table} p
                 WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id
                 ORDER BY p.pgh_id DESC LIMIT 1) AS previous
              FROM {table} e
              LEFT JOIN {quote(Context._meta.db_table)} c
                ON c.id = e.pgh_context_id
              WHERE {" OR ".join(conditions)}
              ORDER BY e.pgh_created_at DESC, e.pgh_id LIMIT %s)"""
        )
        params += [
            table_order,
            event_model.pgh_tracked_model._meta.label,
            *keys,
            limit,
        ]
    if not parts:
        return []
    sql = (
        f"SELECT * FROM ({' UNION ALL '.join(parts)}) events"
        " ORDER BY pgh_created_at DESC, table_order, pgh_id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    events = []
    for table_order, obj_model, pgh_id, at, label, context, data, previous in rows:
        data = _json(data)
        group = min(
            index
            for index, column, keys in matchers[table_order]
            if str(data[column]) in keys
        )
        event = _Event(
            pgh_obj_model=obj_model,
            pgh_id=pgh_id,
            pgh_created_at=at,
            pgh_label=label,
            pgh_context=_json(context),
            pgh_diff=_diff(data, _json(previous)),
        )
        events.append((group, table_order, pgh_id, event))
    # Changes made together (one transaction, one time) in the order pghistory's
    # query per group gave them: group by group as given, table by table, each
    # table's in the order made. history_of sorts by time, keeping this order.
    events.sort(key=lambda item: item[:3])
    return [event for *_order, event in events]


def _newest_first(event):
    """Within one transaction every change has the same time: a record's creation
    before its changes, and rows linked in its many-to-many fields last (so they
    join the change of the record)."""
    if _many_to_many_field(apps.get_model(event.pgh_obj_model)):
        rank = 0
    else:
        rank = 1 if event.pgh_label == "insert" else 2
    return event.pgh_created_at, rank


def history_of(
    *groups, tracked=(), models=None, limit=200, shown_fields=None
) -> list[HistoryEntry]:
    """Every recorded change to the objects and to the rows that refer to them,
    newest first, with who made it. Each group holds objects of one model; the
    objects in `tracked` (of one model) add their own changes only, not those of
    the rows that refer to them. `models` (tracked models) limits the changes to
    those of these models. A row linked or unlinked in a many-to-many field shows as
    a change of that field.

    `shown_fields` ({tracked model: field names}) is an allow-list for readers who
    may not read all of a record: of those models' changes only these fields show,
    and a change of other fields only is left out (a field added later is hidden
    until it is listed)."""
    groups = [list(objects) for objects in groups if objects]
    events = _events(groups, list(tracked), models, limit)
    events = sorted(events, key=_newest_first, reverse=True)
    user_ids = {
        (event.pgh_context or {}).get("user")
        for event in events
        if (event.pgh_context or {}).get("user")
    }
    users = get_user_model().objects.in_bulk(user_ids)
    entries = []
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        user = users.get((event.pgh_context or {}).get("user"))
        field = _many_to_many_field(model)
        if field:
            # Linked or unlinked: the field of its model changed, with what else
            # changed in the same transaction.
            entry = HistoryEntry(
                at=event.pgh_created_at,
                user=user,
                model=field.model._meta.verbose_name,
                action="update",
                fields=[str(field.verbose_name)],
            )
            alike = next(
                (
                    index
                    for index, other in enumerate(entries)
                    if (other.at, other.user, other.model)
                    == (entry.at, entry.user, entry.model)
                    and other.action in ("insert", "update")
                ),
                None,
            )
            if alike is None:
                entries.append(entry)
            elif entries[alike].action == "update":
                fields = sorted({*entries[alike].fields, *entry.fields})
                entries[alike] = replace(entries[alike], fields=fields)
            continue
        diff = event.pgh_diff
        if shown_fields is not None and model in shown_fields:
            names = _field_names(model, shown_fields[model])
            shown = {
                name: change for name, change in (diff or {}).items() if name in names
            }
            if diff and not shown:
                continue
            diff = shown
        entry = HistoryEntry(
            at=event.pgh_created_at,
            user=user,
            model=model._meta.verbose_name,
            action=event.pgh_label,
            fields=_changed_fields(model, diff),
        )
        if entries and replace(entries[-1], count=1) == entry:
            entries[-1] = replace(entry, count=entries[-1].count + 1)
        else:
            entries.append(entry)
    return entries
