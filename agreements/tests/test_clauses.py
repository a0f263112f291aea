"""The municipality's agreement text: what its agreements print after their terms,
and how a version made ready for signature keeps the text it was frozen with."""

import re
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from agreements.clauses import (
    agreement_clauses,
    agreement_text_history,
    clause_paragraphs,
    default_clauses,
)
from agreements.demo import DEMO_OWN_CLAUSE, demo_agreement_text
from agreements.documents import agreement_render_pdf, stored_document_open
from agreements.models import AgreementClause, AgreementVersion
from agreements.services import (
    agreement_documents_check_share,
    agreement_mark_ready,
)
from agreements.services.clauses import (
    agreement_clause_add,
    agreement_clause_move,
    agreement_clause_remove,
    agreement_clause_update,
    agreement_clauses_adopt,
    agreement_clauses_seed,
)
from agreements.tests.factories import AgreementVersionFactory
from agreements.tests.helpers import sign_completely
from outlets.services import municipality_organisation_number_set

pytestmark = pytest.mark.django_db

OWN_TITLE = "Skyltning och information"
OWN_TEXT = (
    "Servicepunkten skyltar med den gemensamma servicepunktsskylten.\n\n"
    "Kommunen tillhandahåller skylten utan kostnad."
)


@pytest.fixture(autouse=True)
def poppler():
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.fail("These tests need poppler-utils (pdftotext, pdftoppm).")


def pdf_text(tmp_path, data: bytes) -> str:
    """The PDF's text, with runs of white space as one space."""
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.split())


def clause_titled(municipality, title):
    return AgreementClause.objects.get(municipality=municipality, title=title)


def preview_text(client, tmp_path, agreement):
    response = client.get(reverse("agreements:agreement_preview", args=[agreement.pk]))
    assert response.status_code == 200
    return pdf_text(tmp_path, response.content)


# The default text


def test_a_municipality_without_a_text_of_its_own_prints_the_default_clauses(
    tmp_path,
):
    version = AgreementVersionFactory()

    text = pdf_text(tmp_path, agreement_render_pdf(version=version, draft=True))

    for heading in ("Indexuppräkning", "Försäkring", "Personuppgifter", "Tvist"):
        assert heading in text
    assert "Hävning vid avtalsbrott" in text
    assert "allmän domstol med tillämpning av svensk lag" in text
    assert "dataskyddsförordningen" in text


def test_the_default_text_is_swedish_whatever_the_interface_speaks(settings):
    from django.utils import translation

    with translation.override("en"):
        clauses = default_clauses()

    assert [clause["title"] for clause in clauses] == [
        "Indexuppräkning",
        "Försäkring",
        "Personuppgifter",
        "Hävning vid avtalsbrott",
        "Tvist",
    ]


def test_adopting_the_default_stores_it_in_order(nordmaling, administrator):
    agreement_clauses_adopt(municipality=nordmaling, by=administrator)

    stored = list(AgreementClause.objects.filter(municipality=nordmaling))
    assert [c.position for c in stored] == [1, 2, 3, 4, 5]
    assert [(c.kind, c.title, c.text) for c in stored] == [
        (c["kind"], c["title"], c["text"]) for c in default_clauses()
    ]


def test_the_default_is_adopted_once(nordmaling, administrator):
    agreement_clauses_adopt(municipality=nordmaling, by=administrator)

    with pytest.raises(ValidationError) as refused:
        agreement_clauses_adopt(municipality=nordmaling, by=administrator)

    assert refused.value.code == "adopted"
    assert AgreementClause.objects.filter(municipality=nordmaling).count() == 5


def test_the_demo_municipality_has_the_default_text_its_own_clause_and_number(
    nordmaling, administrator
):
    demo_agreement_text(nordmaling, administrator)
    demo_agreement_text(nordmaling, administrator)  # seed_demo may run again

    nordmaling.refresh_from_db()
    titles = [clause["title"] for clause in agreement_clauses(nordmaling)]
    assert titles == [
        "Indexuppräkning",
        "Försäkring",
        DEMO_OWN_CLAUSE[0],
        "Personuppgifter",
        "Hävning vid avtalsbrott",
        "Tvist",
    ]
    assert nordmaling.organisation_number == "212000-2452"


# The text in the documents


def test_editing_the_template_changes_the_next_drafts_pdf(
    client, tmp_path, nordmaling, administrator, official, draft
):
    client.force_login(official)
    assert OWN_TITLE not in preview_text(client, tmp_path, draft)

    agreement_clause_add(
        municipality=nordmaling, by=administrator, title=OWN_TITLE, text=OWN_TEXT
    )
    insurance = clause_titled(nordmaling, "Försäkring")
    agreement_clause_update(
        clause=insurance,
        by=administrator,
        title="Försäkringar",
        text="Servicepunkten ska ha en ansvarsförsäkring på minst 5 miljoner kronor.",
    )

    text = preview_text(client, tmp_path, draft)
    assert OWN_TITLE in text
    assert "Kommunen tillhandahåller skylten utan kostnad." in text
    assert "ansvarsförsäkring på minst 5 miljoner kronor" in text
    assert "egendomsförsäkring" not in text


def test_a_ready_version_keeps_its_text_and_its_checksum_when_the_template_changes(
    tmp_path, nordmaling, administrator, official, draft
):
    agreement_clause_add(
        municipality=nordmaling, by=administrator, title=OWN_TITLE, text=OWN_TEXT
    )
    agreement_mark_ready(agreement=draft, by=official)
    version = draft.first_version()
    frozen = version.document.read()

    own = clause_titled(nordmaling, OWN_TITLE)
    agreement_clause_update(
        clause=own, by=administrator, title="Skyltar", text="Ny text om skyltar."
    )
    agreement_clause_remove(clause=own, by=administrator)
    municipality_organisation_number_set(
        municipality=nordmaling, by=administrator, organisation_number="2120002452"
    )

    version = AgreementVersion.objects.get(pk=version.pk)
    rendered = agreement_render_pdf(version=version)
    assert rendered == frozen
    text = pdf_text(tmp_path, rendered)
    assert OWN_TITLE in text and "Kommunen tillhandahåller skylten" in text
    assert "Ny text om skyltar" not in text
    assert "212000-2452" not in text
    stored_document_open(version.document, sha256=version.document_sha256).close()
    assert agreement_documents_check_share(today=_the_day_of(version)) == 0


def _the_day_of(version):
    """A day on which the daily check looks at the version's documents."""
    from datetime import date

    from agreements.services.integrity import DOCUMENT_CHECK_CYCLE_DAYS

    day = version.pk % DOCUMENT_CHECK_CYCLE_DAYS or DOCUMENT_CHECK_CYCLE_DAYS
    return date(2027, 2, day)


def test_a_version_signed_after_the_template_changed_prints_the_text_it_was_made_ready_with(  # noqa: E501
    tmp_path, nordmaling, administrator, official, shop_owner, draft
):
    agreement_clause_add(
        municipality=nordmaling, by=administrator, title=OWN_TITLE, text=OWN_TEXT
    )
    agreement_mark_ready(agreement=draft, by=official)
    agreement_clause_update(
        clause=clause_titled(nordmaling, OWN_TITLE),
        by=administrator,
        title="Skyltar",
        text="Ny text om skyltar.",
    )

    for user, side in ((official, "municipality"), (shop_owner, "party")):
        sign_completely(
            agreement=draft,
            by=user,
            side=side,
            name=user.full_name,
            title="VD",
            password=TEST_PASSWORD,
        )

    version = draft.first_version()
    text = pdf_text(tmp_path, version.signed_document.read())
    assert "Kommunen tillhandahåller skylten utan kostnad." in text
    assert "Ny text om skyltar" not in text


def test_the_database_refuses_to_change_a_frozen_versions_clauses(
    nordmaling, administrator, official, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    version = draft.first_version()
    snapshot = version.document_snapshot
    snapshot["clauses"][0]["text"] = "Något annat."

    with (
        pytest.raises(IntegrityError, match="cannot be changed"),
        transaction.atomic(),
    ):
        AgreementVersion.objects.filter(pk=version.pk).update(
            document_snapshot=snapshot
        )

    version.refresh_from_db()
    assert version.document_snapshot["clauses"][0]["text"] != "Något annat."


def test_a_version_made_ready_before_agreements_had_clauses_prints_none(tmp_path):
    """Its snapshot has no clauses: the document it was frozen with had none."""
    version = AgreementVersionFactory(services=[])
    version.document_sha256 = "0" * 64  # as frozen; not saved
    snapshot = {
        "municipality": {"name": "Nordmalings kommun", "code": "2401"},
        "party": {"name": "Pers Livs AB", "organisation_number": "556036-0793"},
        "outlet": {"name": "Pers Livs"},
        "services": [],
    }
    snapshot["municipality"]["county"] = {"name": "Västerbottens län"}
    version.document_snapshot = snapshot

    text = pdf_text(tmp_path, agreement_render_pdf(version=version))

    assert "Tvist" not in text and "Försäkring" not in text


def test_the_municipalitys_organisation_number_stands_in_its_party_block(
    tmp_path, nordmaling, administrator
):
    municipality_organisation_number_set(
        municipality=nordmaling, by=administrator, organisation_number="2120002452"
    )
    version = AgreementVersionFactory(
        agreement__party__name="Pers Livs AB",
        agreement__party__organisation_number="556036-0793",
    )

    text = pdf_text(tmp_path, agreement_render_pdf(version=version))

    # The two blocks stand side by side: the municipality's lines come first.
    assert "212000-2452" in text
    assert text.index("212000-2452") < text.index("556036-0793")
    assert text.count("Organisationsnummer") == 2


def test_clause_text_is_text_in_the_pdf_and_a_blank_line_starts_a_paragraph(
    tmp_path, nordmaling, administrator
):
    agreement_clause_add(
        municipality=nordmaling,
        by=administrator,
        title="<b>Skyltar</b> & märken",
        text="Första stycket <i>utan</i> markup.\n   \nAndra stycket.",
    )
    version = AgreementVersionFactory()

    text = pdf_text(tmp_path, agreement_render_pdf(version=version))

    assert "<b>Skyltar</b> & märken" in text
    assert "Första stycket <i>utan</i> markup." in text
    assert clause_paragraphs("Första.\n   \nAndra,\nsamma stycke.\n\n\n") == [
        "Första.",
        "Andra,\nsamma stycke.",
    ]


def test_the_pdf_with_an_own_clause_and_a_long_services_table_reads_in_order(tmp_path):
    """A services table that runs over a page, then the clauses; the PNGs of the
    pages are what a reviewer looks at."""
    version = AgreementVersionFactory(
        services=[(f"Tjänst nummer {n:02}", 1_000) for n in range(1, 25)],
        annual_compensation=24_000,
    )
    municipality = version.agreement.municipality
    admin = _administrator_of(municipality)
    agreement_clause_add(
        municipality=municipality, by=admin, title=OWN_TITLE, text=OWN_TEXT
    )
    pdf = agreement_render_pdf(version=version)
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)

    text = pdf_text(tmp_path, pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True
    )

    assert len(list(tmp_path.glob("page-*.png"))) >= 3
    order = [
        "Tjänst nummer 24",
        "Summa avgifter",
        "Ändringar",
        "Tvist",
        OWN_TITLE,
        "Kommunen tillhandahåller skylten utan kostnad.",
        "Underskrifter",
    ]
    positions = [text.index(words) for words in order]
    assert positions == sorted(positions)
    assert re.search(r"\d+\. " + OWN_TITLE, text)


def _administrator_of(municipality):
    from accounts.tests.factories import UserFactory

    return UserFactory(administrator=True, municipality=municipality)


# Keeping the text


def test_a_clause_of_ones_own_comes_last(nordmaling, administrator):
    clause = agreement_clause_add(
        municipality=nordmaling, by=administrator, title="  Skyltar  ", text=OWN_TEXT
    )

    assert clause.title == "Skyltar"
    assert clause.kind == AgreementClause.Kind.OWN
    assert [c["title"] for c in agreement_clauses(nordmaling)][-1] == "Skyltar"


@pytest.mark.parametrize(
    "title,text,field,message",
    [
        ("   ", OWN_TEXT, "title", "Skriv villkorets rubrik."),
        (OWN_TITLE, " \n \n ", "text", "Skriv villkorets text."),
        (
            OWN_TITLE,
            "x" * 6000,
            "text",
            "Texten är 6 000 tecken lång; ett villkor har högst 5 000.",
        ),
        ("Tvist", OWN_TEXT, "title", "Avtalstexten har redan ett villkor med den"),
        ("R" * 101, OWN_TEXT, "title", "Rubriken har högst 100 tecken."),
    ],
    ids=["empty title", "empty text", "huge text", "same heading", "long heading"],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    nordmaling, administrator, title, text, field, message
):
    agreement_clauses_seed(municipality=nordmaling)
    before = list(AgreementClause.objects.values_list("title", "text", "position"))

    with pytest.raises(ValidationError) as refused:
        agreement_clause_add(
            municipality=nordmaling, by=administrator, title=title, text=text
        )

    assert message in refused.value.message_dict[field][0].replace("\xa0", " ")
    after = list(AgreementClause.objects.values_list("title", "text", "position"))
    assert after == before


def test_the_database_refuses_a_clause_without_a_heading_or_over_the_limit(
    nordmaling,
):
    for title, text in (("  ", "Text."), ("Rubrik", "x" * 5001)):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementClause.objects.create(
                municipality=nordmaling, position=99, title=title, text=text
            )


def test_moving_a_clause_swaps_it_with_its_neighbour(nordmaling, administrator):
    clauses = agreement_clauses_seed(municipality=nordmaling)

    agreement_clause_move(clause=clauses[4], by=administrator, direction="up")

    titles = [c["title"] for c in agreement_clauses(nordmaling)]
    assert titles[3:] == ["Tvist", "Hävning vid avtalsbrott"]
    with pytest.raises(ValidationError, match="redan först"):
        agreement_clause_move(clause=clauses[0], by=administrator, direction="up")


def test_an_own_clause_can_be_removed_a_standard_one_only_reworded(
    nordmaling, administrator
):
    own = agreement_clause_add(
        municipality=nordmaling, by=administrator, title=OWN_TITLE, text=OWN_TEXT
    )
    agreement_clause_move(clause=own, by=administrator, direction="up")

    agreement_clause_remove(clause=own, by=administrator)

    stored = list(AgreementClause.objects.filter(municipality=nordmaling))
    assert [c.position for c in stored] == [1, 2, 3, 4, 5]
    with pytest.raises(ValidationError, match="standardvillkoren"):
        agreement_clause_remove(clause=stored[0], by=administrator)


@pytest.mark.parametrize(
    "role", ["official", "shop_owner", "regional_viewer", "system_owner"]
)
def test_only_the_municipalitys_administrators_change_its_text(
    request, nordmaling, role
):
    user = request.getfixturevalue(role)
    clause = agreement_clauses_seed(municipality=nordmaling)[0]

    with pytest.raises(PermissionDenied):
        agreement_clause_add(
            municipality=nordmaling, by=user, title=OWN_TITLE, text=OWN_TEXT
        )
    with pytest.raises(PermissionDenied):
        agreement_clause_update(clause=clause, by=user, title="X", text="Y")
    with pytest.raises(PermissionDenied):
        municipality_organisation_number_set(
            municipality=nordmaling, by=user, organisation_number="2120002452"
        )


def test_another_municipalitys_administrator_cannot_change_nordmalings_text(
    nordmaling,
):
    from outlets.tests.factories import municipality

    umea_admin = _administrator_of(municipality("2480"))
    clause = agreement_clauses_seed(municipality=nordmaling)[0]

    with pytest.raises(PermissionDenied):
        agreement_clause_update(clause=clause, by=umea_admin, title="X", text="Y")


def test_an_invalid_organisation_number_is_refused_and_a_valid_one_formatted(
    nordmaling, administrator
):
    with pytest.raises(ValidationError) as refused:
        municipality_organisation_number_set(
            municipality=nordmaling, by=administrator, organisation_number="2120002453"
        )
    assert "Organisationsnumret är inte giltigt" in str(refused.value)

    municipality_organisation_number_set(
        municipality=nordmaling, by=administrator, organisation_number="2120002452"
    )
    nordmaling.refresh_from_db()
    assert nordmaling.organisation_number == "212000-2452"


def test_the_history_says_who_changed_which_clause(nordmaling, administrator):
    import pghistory

    with pghistory.context(user=administrator.pk):
        agreement_clauses_adopt(municipality=nordmaling, by=administrator)
    with pghistory.context(user=administrator.pk):
        own = agreement_clause_add(
            municipality=nordmaling, by=administrator, title=OWN_TITLE, text=OWN_TEXT
        )
    with pghistory.context(user=administrator.pk):
        agreement_clause_update(
            clause=own, by=administrator, title="Skyltar", text="Ny text."
        )
    with pghistory.context(user=administrator.pk):
        agreement_clause_move(clause=own, by=administrator, direction="up")
    with pghistory.context(user=administrator.pk):
        municipality_organisation_number_set(
            municipality=nordmaling, by=administrator, organisation_number="2120002452"
        )

    history = agreement_text_history(nordmaling)

    assert {change.user for change in history} == {administrator}
    # In a test every change has the same time (one transaction): the order of
    # the lines is not under test here, what they say is.
    assert sorted(change.what for change in history) == sorted(
        [
            "Organisationsnummer satt till 212000-2452",
            "Villkorens ordning ändrad",
            f"Villkoret ”{OWN_TITLE}” fick rubriken ”Skyltar”",
            "Texten i villkoret ”Skyltar” ändrad",
            f"Villkoret ”{OWN_TITLE}” tillagt",
            "Standardtexten antagen (5 villkor)",
        ]
    )
