"""The outlet file format: columns, their Swedish and English headers, and values.

`OutletResource` (django-import-export) is the one definition of the columns, shared
by the export, the import page and the `import_outlets` command (see importing.py).
"""

import re
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from stdnum.se import orgnr

from outlets.models import Locality, Municipality, Outlet


def header_key(header):
    """Headers match whatever their case and spacing: 'Ombud för' = 'OMBUD  FÖR'."""
    return re.sub(r"\s+", "", str(header or "")).lower()


class ImportValueError(ValueError):
    """A cell's value cannot be used; the message says what to write instead."""


class ChoiceWidget(widgets.Widget):
    """A choice by its Swedish or English label, its code, or a common synonym."""

    def __init__(self, choices, synonyms):
        super().__init__()
        self.choices = choices
        self.lookup = {}
        for code, label in choices.choices:
            self.lookup[code.lower()] = code
            for language in ("sv", "en"):
                with translation.override(language):
                    self.lookup[str(label).lower()] = code
        for synonym, code in synonyms.items():
            self.lookup[synonym.lower()] = code

    def clean(self, value, row=None, **kwargs):
        text = " ".join(str(value or "").split()).lower()
        if not text:
            return None
        try:
            return self.lookup[text]
        except KeyError:
            raise ImportValueError(
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": value, "choices": self.allowed()}
            ) from None

    def allowed(self):
        return ", ".join(
            _("“%(choice)s”") % {"choice": label}
            for _code, label in self.choices.choices
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class AgentRolesWidget(widgets.Widget):
    """'Systembolaget, Apoteket, DHL': a list of agent roles."""

    SYNONYMS = {
        "apotek": "apoteket",
        "apoteksombud": "apoteket",
        "db schenker": "schenker",
        "uttag": "cash_withdrawal",
        "kontantuttag": "cash_withdrawal",
        "betaltjänst": "payment_service",
        "betaltjänster": "payment_service",
    }

    def __init__(self):
        super().__init__()
        self.roles = ChoiceWidget(Outlet.AgentRole, self.SYNONYMS)

    def clean(self, value, row=None, **kwargs):
        roles = []
        for part in re.split(r"[,;/]", str(value or "")):
            if part.strip():
                role = self.roles.clean(part)
                if role not in roles:
                    roles.append(role)
        return roles

    def render(self, value, obj=None, **kwargs):
        return ", ".join(self.roles.render(role) for role in value or [])


class OrganisationNumberWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        if not orgnr.is_valid(text):
            raise ImportValueError(
                _(
                    "“%(value)s” is not a valid organisation number: check the ten "
                    "digits (NNNNNN-NNNN)."
                )
                % {"value": text}
            )
        return orgnr.format(text)

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DecimalWidget(widgets.Widget):
    """A number with a decimal comma or point; positions keep six decimals."""

    def clean(self, value, row=None, **kwargs):
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return round(float(value), 6)
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        try:
            return round(float(text.replace(",", ".")), 6)
        except ValueError:
            raise ImportValueError(
                _("“%(value)s” is not a number.") % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.6f}".replace(".", ",")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if hasattr(value, "date"):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ImportValueError(
                _("“%(value)s” is not a date: write it as YYYY-MM-DD.")
                % {"value": text}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class LocalityWidget(widgets.Widget):
    """A locality by name within the row's municipality (created when missing).

    The import service resolves localities in bulk; this per-row lookup serves
    django-import-export's own import path, the benchmark's baseline.
    """

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            return None
        code = str(row.get(MUNICIPALITY_HEADER) or "").strip()
        locality, _created = Locality.objects.get_or_create(
            municipality=Municipality.objects.get(code=code), name=name
        )
        return locality

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


KIND_SYNONYMS = {
    "dagligvarubutik": "grocery",
    "dagligvarubutik med fullsortiment": "grocery_full",
    "dagligvarubutik fullsortiment": "grocery_full",
    "grocery shop full range": "grocery_full",
    "grocery shop with full range": "grocery_full",
    "grocery shop limited range": "grocery",
    "dagligvarubutik, fullt sortiment": "grocery_full",
    "fullsortiment": "grocery_full",
    "livsmedelsbutik": "grocery",
    "lanthandel": "grocery",
    "butik": "grocery",
    "grocery shop": "grocery",
    "drivmedel": "fuel",
    "drivmedelsstation": "fuel",
    "bensinstation": "fuel",
    "mack": "fuel",
    "ombud": "agent",
    "övrigt": "other",
    "annat": "other",
}
STATUS_SYNONYMS = {
    "aktiv": "open",
    "öppen": "open",
    "active": "open",
    "nedlagd": "closed",
    "stängd": "closed",
    "stängt": "closed",
}

CRISIS_ROLE_SYNONYMS = {
    "trygghetspunkt": "readiness_point",
    "krisstödspunkt": "readiness_point",
    "livsmedel": "supply",
    "drivmedel": "fuel",
    "annan": "other",
    "annat": "other",
}

MUNICIPALITY_HEADER = "Kommunkod"
NORTHING_HEADER = "N (SWEREF 99 TM)"
EASTING_HEADER = "E (SWEREF 99 TM)"

# Model field (or import-only column) -> the headers it is recognised by. The first
# is the one the export writes; matching ignores case and spacing.
HEADERS = {
    "name": ["Namn", "Name", "Butik", "Butiksnamn"],
    "kind": ["Typ", "Kind", "Type", "Butikstyp"],
    "chain": ["Kedja", "Chain"],
    "external_id": ["Externt id", "External id", "Id"],
    "organisation_number": [
        "Organisationsnummer",
        "Orgnr",
        "Org.nr",
        "Organisation number",
    ],
    "street_address": ["Adress", "Gatuadress", "Besöksadress", "Address"],
    "postcode": ["Postnummer", "Postcode", "Postal code"],
    "town": ["Postort", "Town", "Post town"],
    "locality": ["Ort", "Locality", "Tätort"],
    "municipality": [
        MUNICIPALITY_HEADER,
        "Municipality code",
        "Municipality",
        "Kommunnummer",
    ],
    "contact_name": ["Kontaktperson", "Contact person", "Kontakt"],
    "contact_email": ["E-post", "Epost", "E-mail", "Email"],
    "contact_phone": ["Telefon", "Phone", "Telefonnummer"],
    "latitude": ["Latitud", "Latitude", "Lat"],
    "longitude": ["Longitud", "Longitude", "Lon", "Lng"],
    "northing": [NORTHING_HEADER, "N", "Northing", "SWEREF99 N", "Nord"],
    "easting": [EASTING_HEADER, "E", "Easting", "SWEREF99 E", "Öst", "Ost"],
    "opening_hours": ["Öppettider", "Opening hours"],
    "agent_roles": ["Ombud för", "Agent for", "Ombud"],
    "status": ["Status"],
    "closed_on": ["Nedlagd", "Nedlagd den", "Stängd den", "Closed on"],
    "crisis_role": ["Krisroll", "Crisis role"],
    # An agreement in force today; the agreements say so, not the file.
    "service_point": ["Servicepunkt", "Service point"],
    # The register's own id, which the service analysis names outlets by; exported
    # only, the import matches outlets by their external id or name.
    "register_id": ["Registrets id", "Register id"],
}
EXPORT_ONLY_FIELDS = {"register_id", "service_point"}
HEADER_FIELDS = {
    header_key(header): field_name
    for field_name, headers in HEADERS.items()
    for header in headers
}
COLUMN_LABELS = {field_name: headers[0] for field_name, headers in HEADERS.items()}


def column(field_name, widget=None, attribute=None, **kwargs):
    return fields.Field(
        attribute=field_name if attribute is None else attribute,
        column_name=COLUMN_LABELS[field_name],
        widget=widget or widgets.CharWidget(allow_blank=True),
        **kwargs,
    )


class OutletResource(resources.ModelResource):
    name = column("name")
    kind = column("kind", ChoiceWidget(Outlet.Kind, KIND_SYNONYMS))
    chain = column("chain")
    external_id = column("external_id")
    organisation_number = column("organisation_number", OrganisationNumberWidget())
    street_address = column("street_address")
    postcode = column("postcode")
    town = column("town")
    locality = column("locality", LocalityWidget())
    municipality = column(
        "municipality", widgets.ForeignKeyWidget(Municipality, field="code")
    )
    contact_name = column("contact_name", readonly=True, attribute="")
    contact_email = column("contact_email", readonly=True, attribute="")
    contact_phone = column("contact_phone", readonly=True, attribute="")
    latitude = column("latitude", DecimalWidget())
    longitude = column("longitude", DecimalWidget())
    opening_hours = column("opening_hours")
    agent_roles = column("agent_roles", AgentRolesWidget())
    status = column("status", ChoiceWidget(Outlet.Status, STATUS_SYNONYMS))
    closed_on = column("closed_on", DateWidget())
    crisis_role = column(
        "crisis_role", ChoiceWidget(Outlet.CrisisRole, CRISIS_ROLE_SYNONYMS)
    )
    register_id = column(
        "register_id", widgets.IntegerWidget(), attribute="pk", readonly=True
    )
    service_point = column("service_point", readonly=True, attribute="")

    class Meta:
        model = Outlet
        fields = list(HEADERS.keys() - {"northing", "easting"})
        export_order = [
            field_name
            for field_name in HEADERS
            if field_name not in ("northing", "easting")
        ]
        # For django-import-export's own import (the benchmark's baseline, with the
        # library's default options); our import matches rows in importing.py.
        import_id_fields = ["municipality", "name", "postcode"]

    def __init__(self, records_visible_for=None):
        """`records_visible_for`: ids of outlets whose record columns are exported."""
        super().__init__()
        self.records_visible_for = records_visible_for

    def first_contact(self, outlet):
        contacts = list(outlet.contacts.all())
        return contacts[0] if contacts else None

    def shows_records(self, outlet):
        return self.records_visible_for is None or outlet.pk in self.records_visible_for

    def dehydrate_organisation_number(self, outlet):
        return outlet.organisation_number if self.shows_records(outlet) else ""

    def dehydrate_service_point(self, outlet):
        marked = getattr(outlet, "is_service_point", None)
        return "" if marked is None else (_("Yes") if marked else _("No"))

    def dehydrate_contact_name(self, outlet):
        contact = self.shows_records(outlet) and self.first_contact(outlet)
        return contact.name if contact else ""

    def dehydrate_contact_email(self, outlet):
        contact = self.shows_records(outlet) and self.first_contact(outlet)
        return contact.email if contact else ""

    def dehydrate_contact_phone(self, outlet):
        contact = self.shows_records(outlet) and self.first_contact(outlet)
        return contact.phone if contact else ""
