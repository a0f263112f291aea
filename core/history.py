"""The change history of records, as django-pghistory's database triggers keep it
(so bulk changes are there too), in words a user reads."""

from dataclasses import dataclass, replace

from django.apps import apps
from django.contrib.auth import get_user_model
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
    """The event tables of the given tracked models."""
    from pghistory.models import Event

    return [
        model
        for model in apps.get_models()
        if issubclass(model, Event) and model.pgh_tracked_model in models
    ]


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
    from pghistory.models import Events

    queryset = Events.objects.all()
    if models is not None:
        queryset = queryset.across(*_event_models(models))
    events = []
    for objects in groups:
        if objects:
            # references() takes objects of one model per call.
            events += queryset.references(*objects).order_by("-pgh_created_at")[:limit]
    if tracked:
        events += queryset.tracks(*tracked).order_by("-pgh_created_at")[:limit]
    unique = {(event.pgh_model, event.pgh_id): event for event in events}
    events = sorted(unique.values(), key=_newest_first, reverse=True)[:limit]
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
