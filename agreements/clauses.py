"""The municipality's agreement text: the clauses that follow the terms in every
agreement it drafts, their default wording, and how a clause's plain text falls
into paragraphs.

The agreement is a Swedish document, so the clauses are Swedish whatever language
the interface speaks: the default wording is read in Swedish.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.models import AgreementClause

Kind = AgreementClause.Kind

# At most this many clauses: the agreement stays readable, the editor's page short.
CLAUSES_MAX = 30

# The default agreement text, in the order it is printed: what most municipalities'
# service agreements say, consistent with what the app does (fixed compensation
# changed by amendment, money paid past an ended agreement claimed back).
DEFAULT_CLAUSES = [
    (
        Kind.INDEXATION,
        _("Indexation"),
        _(
            "The compensation is fixed for the whole term of the agreement, "
            "extensions included, and is not adjusted by any index.\n\n"
            "A change of the compensation is made as a written amendment to the "
            "agreement, signed by both parties."
        ),
    ),
    (
        Kind.INSURANCE,
        _("Insurance"),
        _(
            "Throughout the term of the agreement the service point shall hold the "
            "insurance its business requires, including liability insurance and "
            "property insurance for the premises and their fittings.\n\n"
            "The service point is liable for damage its business causes to the "
            "municipality or to a third party. At the municipality's request the "
            "service point shall show that the insurance is in force."
        ),
    ),
    (
        Kind.PERSONAL_DATA,
        _("Personal data"),
        _(
            "The parties process personal data in accordance with Regulation (EU) "
            "2016/679 of the European Parliament and of the Council (the General "
            "Data Protection Regulation, GDPR) and the supplementary Swedish "
            "legislation.\n\n"
            "The municipality is the controller of the personal data it processes "
            "to administer and follow up this agreement, such as the names and "
            "contact details of the service point's contact persons.\n\n"
            "If the service point is to process personal data on the "
            "municipality's behalf within the services, the parties shall first "
            "enter into a data processing agreement.\n\n"
            "The service point shall keep confidential what it learns in the "
            "assignment about individuals' personal circumstances. The agreement "
            "and the documents concerning it may be public records at the "
            "municipality."
        ),
    ),
    (
        Kind.TERMINATION,
        _("Termination for breach"),
        _(
            "A party may terminate the agreement with immediate effect if the "
            "other party commits a material breach of the agreement and has not "
            "remedied it within 30 days of a written request to do so. A material "
            "breach includes in particular that the service point stops offering "
            "the services the agreement covers, or that the shop closes for "
            "good.\n\n"
            "A party may also terminate the agreement with immediate effect if the "
            "other party is declared bankrupt, enters into composition "
            "negotiations, goes into liquidation or can otherwise be assumed to be "
            "insolvent.\n\n"
            "Termination shall be made in writing. The right to compensation ends "
            "on the day of termination; compensation paid for the time after that "
            "day shall be repaid to the municipality."
        ),
    ),
    (
        Kind.DISPUTES,
        _("Disputes"),
        _(
            "Disputes concerning the interpretation or application of this "
            "agreement shall in the first place be settled by negotiation between "
            "the parties. If the parties cannot agree, the dispute shall be decided "
            "by a general court (allmän domstol) under Swedish law."
        ),
    ),
]

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def clause_text_too_long(text: str) -> ValidationError | None:
    """The error of a clause's text over the limit, saying by how much; or None."""
    if len(text) <= AgreementClause.TEXT_MAX_LENGTH:
        return None
    return ValidationError(
        gettext(
            "The text is %(length)s characters long; a clause has at most "
            "%(max)s. Shorten it, or divide it into two clauses."
        )
        % {
            "length": number_format(len(text), force_grouping=True),
            "max": number_format(AgreementClause.TEXT_MAX_LENGTH, force_grouping=True),
        },
        code="max_length",
    )


def clause_text_normalised(text: str) -> str:
    """The text as typed, with Unix line ends and no trailing spaces on a line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def clause_paragraphs(text: str) -> list[str]:
    """The clause's paragraphs: a blank line starts a new one. A single line break
    stays within its paragraph. The text is text: whoever shows it escapes it."""
    text = clause_text_normalised(text)
    return [paragraph for paragraph in PARAGRAPH_BREAK.split(text) if paragraph]


def default_clauses() -> list[dict]:
    """The default agreement text in Swedish: kind, title and text of each clause."""
    with translation.override("sv"):
        return [
            {"kind": kind.value, "title": str(title), "text": str(text)}
            for kind, title, text in DEFAULT_CLAUSES
        ]


def agreement_clauses(municipality) -> list[dict]:
    """The municipality's agreement text as it stands: its stored clauses in order,
    or the default text while it has stored none. Each clause a dict of kind,
    title and text, as a version's document snapshot keeps it."""
    stored = [
        {"kind": clause.kind, "title": clause.title, "text": clause.text}
        for clause in AgreementClause.objects.filter(municipality=municipality)
    ]
    return stored or default_clauses()


@dataclass(frozen=True)
class TextChange:
    """One change of the agreement text, in words: when, by whom, what."""

    at: object
    user: object
    what: str


def agreement_text_history(municipality, *, limit=200) -> list[TextChange]:
    """The changes of the municipality's agreement text and organisation number,
    newest first, as the history triggers recorded them; the default text stored
    in one go, and a change of order, read as one change each."""
    from pghistory.models import Events

    events = list(
        Events.objects.across(
            apps.get_model("agreements", "AgreementClauseEvent"),
            apps.get_model("outlets", "MunicipalityOrganisationNumberEvent"),
        )
        .references(municipality)
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    user_ids = {
        (event.pgh_context or {}).get("user")
        for event in events
        if (event.pgh_context or {}).get("user")
    }
    users = get_user_model().objects.in_bulk(user_ids)
    # The changes of one request (one history context) in one transaction.
    groups = {}
    for event in events:
        groups.setdefault((event.pgh_created_at, event.pgh_context_id), []).append(
            event
        )
    changes = []
    for (at, _context), group in groups.items():
        user = users.get((group[0].pgh_context or {}).get("user"))
        changes += [TextChange(at, user, what) for what in _what_changed(group)]
    return changes


CLAUSE_MODEL = "agreements.AgreementClause"


def _what_changed(events) -> list[str]:
    """The changes made together (in one transaction), in words."""
    clause_events = [
        e for e in events if e.pgh_obj_model == "agreements.AgreementClause"
    ]
    inserted = [e for e in clause_events if e.pgh_label == "insert"]
    standard = [e for e in inserted if e.pgh_data.get("kind") != Kind.OWN]
    own = [e for e in inserted if e.pgh_data.get("kind") == Kind.OWN]
    words = []
    for event in events:
        if event.pgh_obj_model != CLAUSE_MODEL:
            words.append(
                gettext("Organisation number set to %(number)s")
                % {"number": event.pgh_data.get("organisation_number") or "–"}
            )
    if standard:
        words.append(
            gettext("The default text adopted (%(count)s clauses)")
            % {"count": len(standard)}
        )
    words += [
        gettext("Clause “%(title)s” added") % {"title": event.pgh_data["title"]}
        for event in own
    ]
    reordered = False
    for event in clause_events:
        title = event.pgh_data.get("title", "")
        if event.pgh_label == "delete":
            words.append(gettext("Clause “%(title)s” removed") % {"title": title})
        elif event.pgh_label == "update":
            diff = event.pgh_diff or {}
            if "title" in diff:
                words.append(
                    gettext("Clause “%(old)s” renamed “%(new)s”")
                    % {"old": diff["title"][0], "new": diff["title"][1]}
                )
            if "text" in diff:
                words.append(
                    gettext("Text of clause “%(title)s” changed") % {"title": title}
                )
            reordered = reordered or "position" in diff
    # A removal moves the clauses after it up a place: no change of order of its own.
    if reordered and not any(e.pgh_label == "delete" for e in clause_events):
        words.append(gettext("Order of the clauses changed"))
    return words
