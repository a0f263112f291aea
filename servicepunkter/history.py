"""The change history of records, as django-pghistory's database triggers keep it
(so bulk changes are there too), in words a user reads."""

from dataclasses import dataclass, replace

from django.apps import apps


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
    """The changed fields' verbose names; the diff names foreign keys by column."""
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    return sorted(
        {str(fields[name].verbose_name) for name in diff or {} if name in fields}
    )


def history_of(*groups, limit=200) -> list[HistoryEntry]:
    """Every recorded change to the objects and to the rows that refer to them,
    newest first, with who made it. Each group holds objects of one model."""
    from pghistory.models import Events

    from accounts.models import User

    events = []
    for objects in groups:
        if objects:
            # references() takes objects of one model per call.
            events += Events.objects.references(*objects).order_by("-pgh_created_at")[
                :limit
            ]
    unique = {(event.pgh_model, event.pgh_id): event for event in events}
    events = sorted(
        unique.values(), key=lambda event: event.pgh_created_at, reverse=True
    )[:limit]
    user_ids = {
        (event.pgh_context or {}).get("user")
        for event in events
        if (event.pgh_context or {}).get("user")
    }
    users = User.objects.in_bulk(user_ids)
    entries = []
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        entry = HistoryEntry(
            at=event.pgh_created_at,
            user=users.get((event.pgh_context or {}).get("user")),
            model=model._meta.verbose_name,
            action=event.pgh_label,
            fields=_changed_fields(model, event.pgh_diff),
        )
        if entries and replace(entries[-1], count=1) == entry:
            entries[-1] = replace(entry, count=entries[-1].count + 1)
        else:
            entries.append(entry)
    return entries
