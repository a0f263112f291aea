"""The register extract (Swedish: *registerutdrag*, GDPR art. 15): everything the
personal-data registry finds about one person, as JSON and as a PDF/A.

For each registered field the registry says how a row can concern a person: a user
foreign key points at their account, an e-mail field holds their address, a name
field names them, or the row is the very record they are (their account, their
contact-person entry, the party they sign for). Rows are read within the maker's
municipality and capped per table (MAX_ROWS, newest first; the extract says when
more were found). The changes to the person's own record come from the history,
their sign-ins and downloads from the security log.
"""

import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import User
from agreements.models import Party
from core.documents import css_string, html_render_pdf_a3a, page_counter_content
from core.history import history_of
from outlets.models import Municipality, OutletContact, Partner
from privacy.registry import REGISTRY, PersonalField
from securitylog.models import EventKind, SecurityEvent
from securitylog.services import security_event_record

# Rows per table and history entries, newest first: a person active for years
# still gets their extract in seconds, and it says what it left out.
MAX_ROWS = 500
MAX_HISTORY = 200
# A name shorter than this would find every row that contains it.
MIN_NAME_LENGTH = 4

SECURITY_LOG = "securitylog.SecurityEvent"

# Fields that identify nobody by themselves; shown with the rows found by others.
NOT_SEARCHED = re.compile(
    r"phone|number|giro|address|title|reference|scan|image|ip_|note|comment"
)


class FoundBy(models.TextChoices):
    RECORD = "record", gettext_lazy("the person's own record")
    ACCOUNT = "account", gettext_lazy("the person's user account")
    EMAIL = "email", gettext_lazy("the person's e-mail address")
    NAME = "name", gettext_lazy("the person's name")


class SubjectKind(models.TextChoices):
    USER = "user", gettext_lazy("User")
    CONTACT = "contact", gettext_lazy("Contact person of an outlet")
    SIGNATORY = "signatory", gettext_lazy("Signatory of a party")
    PARTY_CONTACT = "party-contact", gettext_lazy("Contact person of a party")
    PARTNER_CONTACT = "partner-contact", gettext_lazy("Contact person of a partner")


@dataclass(frozen=True)
class Subject:
    """The person an extract is about, and the record that makes them known."""

    kind: str
    record: models.Model
    name: str
    email: str
    municipality_id: int | None
    user: User | None = None

    @property
    def kind_label(self) -> str:
        return str(SubjectKind(self.kind).label)

    @property
    def record_label(self) -> str:
        """Where the person is known: a user's role, else the outlet, party or
        partner whose record names them."""
        if self.kind == SubjectKind.USER:
            return str(self.record.get_role_display())
        if self.kind == SubjectKind.CONTACT:
            return str(self.record.outlet)
        return str(self.record)


def can_make_register_extract(user) -> bool:
    """A municipality's administrators make extracts about its people; the system
    owner about anyone's."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)


def _users(by):
    return User.objects.visible_to(by)


def _contacts(by):
    return OutletContact.objects.filter(
        by.records_scope("outlet__municipality")
    ).select_related("outlet")


def _parties(by):
    return Party.objects.filter(by.records_scope())


def _partners(by):
    return Partner.objects.filter(by.records_scope())


def _user_subject(user) -> Subject:
    return Subject(
        SubjectKind.USER, user, user.full_name, user.email, user.municipality_id, user
    )


def subject_get(*, kind: str, pk: int, by) -> Subject:
    """The person of `kind` and `pk` within the maker's scope, else 404."""
    if kind == SubjectKind.USER:
        user = get_object_or_404(_users(by), pk=pk)
        return _user_subject(user)
    if kind == SubjectKind.CONTACT:
        contact = get_object_or_404(_contacts(by), pk=pk)
        return Subject(
            kind, contact, contact.name, contact.email, contact.outlet.municipality_id
        )
    if kind == SubjectKind.SIGNATORY:
        party = get_object_or_404(_parties(by), pk=pk)
        return Subject(kind, party, party.signatory_name, "", party.municipality_id)
    if kind == SubjectKind.PARTY_CONTACT:
        party = get_object_or_404(_parties(by).exclude(contact_name=""), pk=pk)
        return Subject(
            kind, party, party.contact_name, party.email, party.municipality_id
        )
    if kind == SubjectKind.PARTNER_CONTACT:
        partner = get_object_or_404(_partners(by).exclude(contact_person=""), pk=pk)
        return Subject(
            kind,
            partner,
            partner.contact_person,
            partner.email,
            partner.municipality_id,
        )
    raise Http404


def subjects_search(*, text: str, by, limit: int = 50) -> list[Subject]:
    """People whose name or e-mail address contains `text`, within the maker's
    scope: users, contact persons of outlets, parties' signatories and contacts,
    partners' contacts."""
    text = text.strip()
    if not text:
        return []
    found = [
        _user_subject(user)
        for user in _users(by).filter(
            Q(full_name__icontains=text) | Q(email__icontains=text)
        )[:limit]
    ]
    found += [
        Subject(
            SubjectKind.CONTACT,
            contact,
            contact.name,
            contact.email,
            contact.outlet.municipality_id,
        )
        for contact in _contacts(by).filter(
            Q(name__icontains=text) | Q(email__icontains=text)
        )[:limit]
    ]
    for party in _parties(by).filter(
        Q(signatory_name__icontains=text)
        | Q(contact_name__icontains=text)
        | Q(email__icontains=text)
    )[:limit]:
        if text.lower() in party.signatory_name.lower():
            found.append(
                Subject(
                    SubjectKind.SIGNATORY,
                    party,
                    party.signatory_name,
                    "",
                    party.municipality_id,
                )
            )
        if party.contact_name and (
            text.lower() in f"{party.contact_name} {party.email}".lower()
        ):
            found.append(
                Subject(
                    SubjectKind.PARTY_CONTACT,
                    party,
                    party.contact_name,
                    party.email,
                    party.municipality_id,
                )
            )
    found += [
        Subject(
            SubjectKind.PARTNER_CONTACT,
            partner,
            partner.contact_person,
            partner.email,
            partner.municipality_id,
        )
        for partner in _partners(by)
        .exclude(contact_person="")
        .filter(Q(contact_person__icontains=text) | Q(email__icontains=text))[:limit]
    ]
    return found


def _model_and_field(entry: PersonalField):
    model_label, name = entry.field.rsplit(".", 1)
    model = apps.get_model(model_label)
    return model, model._meta.get_field(name)


def _points_at_user(model_field) -> bool:
    return model_field.is_relation and (
        model_field.related_model._meta.label == settings.AUTH_USER_MODEL
    )


def _finds_by(model_field) -> str | None:
    """How a registered field can find a person's rows, or None (it is shown with
    the rows the other fields find)."""
    if _points_at_user(model_field):
        return FoundBy.ACCOUNT
    if isinstance(model_field, models.EmailField) or "email" in model_field.name:
        return FoundBy.EMAIL
    if isinstance(model_field, (models.CharField, models.TextField)) and not (
        NOT_SEARCHED.search(model_field.name)
    ):
        return FoundBy.NAME
    return None


def _municipality_path(model, depth=5) -> str | None:
    """The shortest path of foreign keys from `model` to its municipality."""
    queue = [(model, "")]
    seen = {model}
    for _level in range(depth):
        following = []
        for current, prefix in queue:
            for model_field in current._meta.concrete_fields:
                if not model_field.is_relation:
                    continue
                target = model_field.related_model
                path = f"{prefix}{model_field.name}"
                if target is Municipality:
                    return path
                if target not in seen and target._meta.label != (
                    settings.AUTH_USER_MODEL
                ):
                    seen.add(target)
                    following.append((target, f"{path}__"))
        queue = following
    return None


def _conditions(subject: Subject, model, fields) -> list[tuple[str, Q]]:
    """(found by, filter) for the rows of `model` that concern the person."""
    conditions = []
    if model is type(subject.record) or model._meta.concrete_model is type(
        subject.record
    ):
        conditions.append((FoundBy.RECORD, Q(pk=subject.record.pk)))
    for model_field in fields:
        way = _finds_by(model_field)
        if way == FoundBy.ACCOUNT and subject.user is not None:
            conditions.append((way, Q(**{model_field.name: subject.user})))
        elif way == FoundBy.EMAIL and subject.email:
            conditions.append(
                (way, Q(**{f"{model_field.name}__iexact": subject.email}))
            )
        elif way == FoundBy.NAME and len(subject.name.strip()) >= MIN_NAME_LENGTH:
            conditions.append(
                (way, Q(**{f"{model_field.name}__icontains": subject.name.strip()}))
            )
    return conditions


@dataclass
class FoundRow:
    pk: object
    record: str
    found_by: list
    values: list  # (PersonalField, value as text)
    at: object = None


@dataclass
class FoundTable:
    model: str
    label: str
    total: int
    rows: list = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)

    @property
    def found_by(self) -> list[str]:
        ways = {way for row in self.rows for way in row.found_by}
        return sorted(ways)


@dataclass
class RegisterExtract:
    subject: Subject
    made_by: User
    made_at: datetime.datetime
    tables: list
    security_log: FoundTable | None
    history: list
    max_rows: int = MAX_ROWS
    max_history: int = MAX_HISTORY

    @property
    def row_count(self) -> int:
        return sum(len(table.rows) for table in self.tables)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, models.fields.files.FieldFile):
        # The file itself stays in the app; its name says that it is there.
        return value.name or ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _through_field(model):
    """The many-to-many field whose table `model` is, or None."""
    source = model._meta.auto_created
    if not source:
        return None
    return next(
        (f for f in source._meta.many_to_many if f.remote_field.through is model),
        None,
    )


def _table_label(model) -> str:
    field = _through_field(model)
    return str(field.verbose_name if field else model._meta.verbose_name_plural)


def _record_text(row) -> str:
    """What the row is: its own words, or for a row of a many-to-many table the
    two things it links."""
    if _through_field(type(row)):
        return " – ".join(
            str(getattr(row, f.name))
            for f in row._meta.concrete_fields
            if f.is_relation
        )
    return str(row)


def _scope(model, by, subject) -> Q | None:
    """The rows of `model` the maker may put in an extract, or None when the model
    has no municipality (then only the rows of the person's own account)."""
    if by.is_system_owner:
        return Q()
    path = _municipality_path(model)
    if path is None:
        return None
    return Q(**{f"{path}_id": by.municipality_id})


def _table(subject, by, model, entries) -> FoundTable | None:
    fields = [_model_and_field(entry)[1] for entry in entries]
    conditions = _conditions(subject, model, fields)
    scope = _scope(model, by, subject)
    if scope is None:
        conditions = [(way, q) for way, q in conditions if way == FoundBy.ACCOUNT]
    if not conditions:
        return None
    anything = Q(pk__in=[])
    for _way, condition in conditions:
        anything |= condition
    rows = model._default_manager.filter(anything)
    if scope:
        rows = rows.filter(scope)
    rows = rows.distinct()
    total = rows.count()
    if not total:
        return None
    found_by = defaultdict(set)
    for way, condition in conditions:
        matching = rows.filter(condition).order_by("-pk")
        for pk in matching.values_list("pk", flat=True)[:MAX_ROWS]:
            found_by[pk].add(way)
    table = FoundTable(
        model=model._meta.label,
        label=_table_label(model),
        total=total,
    )
    related = [f.name for f in fields if f.many_to_one]
    for row in rows.select_related(*related).order_by("-pk")[:MAX_ROWS]:
        values = []
        for entry, model_field in zip(entries, fields, strict=True):
            value = getattr(row, model_field.name)
            if model_field.many_to_many:
                value = ", ".join(str(item) for item in value.all())
            values.append((entry, _text(value)))
        table.rows.append(
            FoundRow(
                pk=row.pk,
                record=_record_text(row),
                found_by=[
                    str(FoundBy(way).label)
                    for way in FoundBy.values
                    if way in found_by[row.pk]
                ],
                values=values,
                at=getattr(row, "at", None),
            )
        )
    return table


def register_extract(*, subject: Subject, by) -> RegisterExtract:
    """Everything the registry finds about the person, within the maker's
    municipality (the system owner's: all of them)."""
    by_model = defaultdict(list)
    for entry in REGISTRY:
        model, _model_field = _model_and_field(entry)
        by_model[model].append(entry)
    tables = []
    security_log = None
    for model, entries in by_model.items():
        table = _table(subject, by, model, entries)
        if table is None:
            continue
        if table.model == SECURITY_LOG:
            security_log = table
        else:
            tables.append(table)
    return RegisterExtract(
        subject=subject,
        made_by=by,
        made_at=timezone.now(),
        tables=tables,
        security_log=security_log,
        history=history_of([subject.record], limit=MAX_HISTORY),
    )


def _security_events(extract: RegisterExtract) -> list:
    if extract.security_log is None:
        return []
    pks = [row.pk for row in extract.security_log.rows]
    events = SecurityEvent.objects.in_bulk(pks)
    return [events[pk] for pk in pks if pk in events]


def register_extract_data(extract: RegisterExtract) -> dict:
    """The extract as plain data, for JSON."""
    subject = extract.subject
    return {
        "register_extract": {
            "about": {
                "kind": subject.kind_label,
                "name": subject.name,
                "email": subject.email,
            },
            "made_at": extract.made_at.isoformat(),
            "made_by": extract.made_by.full_name or extract.made_by.email,
            "limits": {
                "rows_per_table": extract.max_rows,
                "history_entries": extract.max_history,
            },
        },
        "records": [
            {
                "table": table.label,
                "model": table.model,
                "rows_found": table.total,
                "rows_shown": len(table.rows),
                "rows": [
                    {
                        "id": row.pk,
                        "record": row.record,
                        "found_by": row.found_by,
                        "data": [
                            {
                                "field": entry.field,
                                "what": str(entry.what),
                                "value": value,
                                "purpose": str(entry.purpose),
                                "legal_basis": str(entry.basis.label),
                                "retention": str(entry.retention.label),
                            }
                            for entry, value in row.values
                        ],
                    }
                    for row in table.rows
                ],
            }
            for table in extract.tables
        ],
        "history": [
            {
                "at": entry.at.isoformat(),
                "by": str(entry.user) if entry.user else "",
                "record": str(entry.model),
                "action": entry.action,
                "fields": list(entry.fields),
                "count": entry.count,
            }
            for entry in extract.history
        ],
        "security_log": {
            "rows_found": extract.security_log.total if extract.security_log else 0,
            "events": [
                {
                    "at": event.at.isoformat(),
                    "event": str(event.get_kind_display()),
                    "email": event.email,
                    "ip_address": event.ip_address or "",
                    "page": event.path,
                    "detail": event.detail,
                }
                for event in _security_events(extract)
            ],
        },
    }


def register_extract_json(extract: RegisterExtract) -> bytes:
    return json.dumps(
        register_extract_data(extract), ensure_ascii=False, indent=2
    ).encode()


def register_extract_render_pdf(extract: RegisterExtract) -> bytes:
    """The extract as PDF/A-3a in the active language, dated when it was made."""
    subject = extract.subject
    html = render_to_string(
        "privacy/register_extract_pdf.html",
        {
            "extract": extract,
            "subject": subject,
            "events": _security_events(extract),
            "language": get_language() or settings.LANGUAGE_CODE,
            "footer_reference": css_string(
                _("Register extract: %(name)s") % {"name": subject.name}
            ),
            "page_counter": page_counter_content(),
        },
    )
    return html_render_pdf_a3a(html, created=extract.made_at)


def register_extract_record(*, extract: RegisterExtract, request, file_format: str):
    """Log the extract in the security log: who made it, about whom, in what form.
    It goes to the log of the person's municipality."""
    subject = extract.subject
    security_event_record(
        kind=EventKind.PERSONAL_DATA_EXPORT,
        request=request,
        user=extract.made_by,
        municipality_id=subject.municipality_id or extract.made_by.municipality_id,
        detail=(
            f"{subject.kind} {subject.record.pk}: {subject.name}"
            f"{f' <{subject.email}>' if subject.email else ''} ({file_format})"
        ),
    )
