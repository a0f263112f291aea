"""Keeping the municipality's agreement text: its administrators adopt the default
clauses, reword them, add clauses of their own, put them in order and remove their
own. A version already made ready for signature keeps the text it was frozen with
(agreement_mark_ready stores it in the version's document snapshot)."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.clauses import (
    CLAUSES_MAX,
    clause_text_normalised,
    clause_text_too_long,
    default_clauses,
)
from agreements.models import AgreementClause
from outlets.models import Municipality

MOVES = {"up": -1, "down": 1}


def _check_keeper(by, municipality_id):
    """A municipality's administrators keep its agreement text; nobody else does."""
    if not (
        by.is_authenticated
        and by.is_administrator
        and by.municipality_id == municipality_id
    ):
        raise PermissionDenied


def _locked_clauses(municipality_id) -> list[AgreementClause]:
    """The municipality's clauses in order, locked while the text changes; the
    municipality's row is locked first, so that two first changes cannot both
    store the default text."""
    Municipality.objects.select_for_update().filter(pk=municipality_id).first()
    return list(
        AgreementClause.objects.select_for_update()
        .filter(municipality_id=municipality_id)
        .order_by("position", "pk")
    )


@transaction.atomic
def agreement_clauses_seed(*, municipality) -> list[AgreementClause]:
    """Store the default agreement text for a municipality that has none stored;
    returns its clauses in order."""
    clauses = _locked_clauses(municipality.pk)
    if clauses:
        return clauses
    return AgreementClause.objects.bulk_create(
        AgreementClause(municipality=municipality, position=position, **clause)
        for position, clause in enumerate(default_clauses(), start=1)
    )


@transaction.atomic
def agreement_clauses_adopt(*, municipality, by) -> list[AgreementClause]:
    """An administrator starts editing from the default text (Swedish:
    *standardtext*): it is stored for the municipality, to change from there."""
    _check_keeper(by, municipality.pk)
    if AgreementClause.objects.filter(municipality=municipality).exists():
        raise ValidationError(
            _(
                "The agreement text is already your municipality's own: change it "
                "clause by clause."
            ),
            code="adopted",
        )
    return agreement_clauses_seed(municipality=municipality)


def _cleaned(*, municipality_id, title: str, text: str, clause=None):
    """The heading and text as meant, or a ValidationError per field."""
    title = re.sub(r"\s+", " ", title or "").strip()
    text = clause_text_normalised(text or "")
    errors = {}
    if not title:
        errors["title"] = ValidationError(
            _("Write the clause's heading."), code="required"
        )
    elif len(title) > AgreementClause.TITLE_MAX_LENGTH:
        errors["title"] = ValidationError(
            _("The heading is at most %(max)s characters.")
            % {"max": AgreementClause.TITLE_MAX_LENGTH},
            code="max_length",
        )
    else:
        same = AgreementClause.objects.filter(
            municipality_id=municipality_id, title__iexact=title
        )
        if clause is not None:
            same = same.exclude(pk=clause.pk)
        if same.exists():
            errors["title"] = ValidationError(
                _("The agreement text has a clause with this heading already."),
                code="duplicate",
            )
    if not text:
        errors["text"] = ValidationError(_("Write the clause's text."), code="required")
    elif too_long := clause_text_too_long(text):
        errors["text"] = too_long
    if errors:
        raise ValidationError(errors)
    return title, text


@transaction.atomic
def agreement_clause_add(*, municipality, by, title: str, text: str) -> AgreementClause:
    """A clause of the municipality's own, at the end of its agreement text (the
    default text is stored first if the municipality had none of its own)."""
    _check_keeper(by, municipality.pk)
    clauses = agreement_clauses_seed(municipality=municipality)
    if len(clauses) >= CLAUSES_MAX:
        raise ValidationError(
            _("The agreement text has at most %(max)s clauses.") % {"max": CLAUSES_MAX},
            code="too_many",
        )
    title, text = _cleaned(municipality_id=municipality.pk, title=title, text=text)
    clause = AgreementClause(
        municipality=municipality,
        kind=AgreementClause.Kind.OWN,
        position=max(c.position for c in clauses) + 1,
        title=title,
        text=text,
    )
    clause.full_clean()
    clause.save()
    return clause


@transaction.atomic
def agreement_clause_update(
    *, clause: AgreementClause, by, title: str, text: str
) -> AgreementClause:
    """Reword a clause. Drafts show the new wording; versions made ready for
    signature keep the wording they were frozen with."""
    _check_keeper(by, clause.municipality_id)
    clause = AgreementClause.objects.select_for_update().get(pk=clause.pk)
    clause.title, clause.text = _cleaned(
        municipality_id=clause.municipality_id, title=title, text=text, clause=clause
    )
    clause.full_clean()
    clause.save(update_fields=["title", "text"])
    return clause


@transaction.atomic
def agreement_clause_move(
    *, clause: AgreementClause, by, direction: str
) -> AgreementClause:
    """Swap a clause with the one above or below it."""
    _check_keeper(by, clause.municipality_id)
    if direction not in MOVES:
        raise ValidationError(_("Choose to move up or down."), code="direction")
    clauses = _locked_clauses(clause.municipality_id)
    index = next(i for i, c in enumerate(clauses) if c.pk == clause.pk)
    other = index + MOVES[direction]
    if not 0 <= other < len(clauses):
        raise ValidationError(
            _("The clause is already first.")
            if direction == "up"
            else _("The clause is already last."),
            code="at_end",
        )
    clauses[index], clauses[other] = clauses[other], clauses[index]
    _renumber(clauses)
    return clauses[other]


def _renumber(clauses):
    """Store the clauses' places as 1, 2, 3, … in the given order."""
    moved = []
    for position, item in enumerate(clauses, start=1):
        if item.position != position:
            item.position = position
            moved.append(item)
    AgreementClause.objects.bulk_update(moved, ["position"])


@transaction.atomic
def agreement_clause_remove(*, clause: AgreementClause, by) -> None:
    """Remove a clause of the municipality's own. The standard clauses stay, to be
    reworded: an agreement without them would leave open what they settle."""
    _check_keeper(by, clause.municipality_id)
    clauses = _locked_clauses(clause.municipality_id)
    clause = next((c for c in clauses if c.pk == clause.pk), None)
    if clause is None:
        raise ValidationError(_("The clause is already removed."), code="gone")
    if not clause.is_own:
        raise ValidationError(
            _(
                "“%(title)s” is one of the standard clauses: it cannot be removed, "
                "only reworded."
            )
            % {"title": clause.title},
            code="standard",
        )
    rest = [c for c in clauses if c.pk != clause.pk]
    clause.delete()
    # The ones after it move up a place.
    _renumber(rest)
