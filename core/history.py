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


def history_of(*groups, limit=200) -> list[HistoryEntry]:
    """Every recorded change to the objects and to the rows that refer to them,
    newest first, with who made it. Each group holds objects of one model."""
    from pghistory.models import Events

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
    users = get_user_model().objects.in_bulk(user_ids)
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
