"""Reads for the public statements: which municipality a visitor chose, and its
contacts."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from outlets.models import Municipality
from statements.models import StatementSettings


@dataclass
class StatementAudience:
    """The municipality a statement is shown for (None: the national version), its
    contacts, and what the visitor is told when the choice went wrong."""

    municipality: Municipality | None
    contacts: StatementSettings | None
    error: str = ""
    # The code as asked for, to show it back in the form.
    asked_code: str = ""

    @property
    def status(self) -> int:
        return 404 if self.error else 200


def statement_audience(query) -> StatementAudience:
    """The version a statement page shows for its query (`?municipality=2401`)."""
    code = (query.get("municipality") or "").strip()[:10]
    if not code:
        return StatementAudience(municipality=None, contacts=None)
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        return StatementAudience(
            municipality=None,
            contacts=None,
            error=_(
                "No municipality has the code %(code)s. Choose your municipality "
                "from the list."
            )
            % {"code": code},
            asked_code=code,
        )
    return StatementAudience(
        municipality=municipality,
        contacts=StatementSettings.for_municipality(municipality),
    )


# The Swedish alphabet ends with å, ä, ö; the database's collation (C) puts ä first.
SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def municipalities_to_choose() -> list[Municipality]:
    """Every municipality, for the list a visitor chooses from, in Swedish
    alphabetical order."""
    return sorted(
        Municipality.objects.only("code", "name"),
        key=lambda municipality: municipality.name.lower().translate(SWEDISH_ORDER),
    )
