"""The accessibility statement's facts (Swedish: *tillgänglighetsredogörelse*),
after DIGG's model: how far the service complies with lagen (2018:1937) om
tillgänglighet till digital offentlig service, what is not accessible and why, how
it was assessed and when. Update the dates and the list when the service changes."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

# The latest assessment of the whole service, and the latest change of this text.
ASSESSED_ON = date(2026, 12, 7)
UPDATED_ON = date(2026, 12, 7)
# DIGG's form for reporting a lack of accessibility in digital public services.
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"


class Compliance(models.TextChoices):
    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NOT = "not", _("not compliant")


COMPLIANCE = Compliance.PARTIAL


@dataclass(frozen=True)
class Shortcoming:
    """Content that is not accessible: what, why, and what to use instead."""

    title: str
    what: str
    instead: str
    criteria: str


SHORTCOMINGS = [
    Shortcoming(
        _("The maps"),
        _(
            "The maps of the service points, of the register and of the service "
            "analysis show where things are as a picture. On most maps each marker "
            "can be reached with the keyboard and is read out by its name, but where "
            "it lies, and how far apart the markers are, cannot be perceived with a "
            "screen reader, and with many markers going through them with the "
            "keyboard is slow. The map of the whole country draws its thousands of "
            "markers as one picture: they cannot be reached with the keyboard at all. "
            "Colour and shape set the kinds of marker apart; on the staff's maps a "
            "legend explains them."
        ),
        _(
            "Use the lists instead: the service points and the outlets are also "
            "listed with their addresses and links, the service analysis gives its "
            "results as tables, and each service point's own page has its address "
            "and coordinates."
        ),
        _("WCAG 2.1 success criteria 1.1.1 (non-text content) and 2.1.1 (keyboard)"),
    ),
    Shortcoming(
        _("Scans of agreements signed on paper"),
        _(
            "When an agreement is signed on paper, the scan that is uploaded is kept "
            "as it is: a picture of the pages, which a screen reader cannot read."
        ),
        _(
            "The agreement's own text is in its PDF, a tagged PDF/A-3a document. "
            "Contact us if you need the signed paper in another form."
        ),
        _("WCAG 2.1 success criterion 1.1.1 (non-text content)"),
    ),
]
