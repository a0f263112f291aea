"""The annual report, checked with poppler-utils and rendered to images."""

import datetime
import re
import subprocess

import pytest

from programme.models import ProgrammeGoals
from programme.tests.factories import InvestmentFactory
from reports.documents import annual_report_render_pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pdf_path(tmp_path, year_of_records, own_outlet):
    """The report of 2025, with its goals and an investment at Pers Livs."""
    ProgrammeGoals.objects.filter(year=2025).update(
        service_points=4,
        own_goal="Alla servicepunkter kan vara trygghetspunkter",
        own_goal_outcome="Pers Livs har reservkraft",
        own_goal_met=True,
    )
    InvestmentFactory(
        outlet=own_outlet,
        made_on=datetime.date(2025, 4, 15),
        cost=100_000,
        regional_grant=50_000,
        municipal_funding=20_000,
        own_funding=10_000,
        other_aid=20_000,
        other_aid_from="Leader",
        decision_reference="RS 2025/112",
    )
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2025, today=TODAY
        )
    )
    return str(path)


def test_the_report_names_municipality_year_service_point_and_compensation(pdf_path):
    text = " ".join(run("pdftotext", pdf_path, "-").split())

    for expected in [
        "Nordmalings kommun",
        "Årsrapport 2025",
        "Pers Livs",
        "40 000 kr",
        "Utbildningar",
    ]:
        assert expected in text


def test_the_report_shows_each_goal_its_outcome_and_the_investments_by_source(
    pdf_path,
):
    text = " ".join(run("pdftotext", pdf_path, "-").split())
    goals = re.split(r"\d+\. Programmets mål", text)[1]
    goals = re.split(r"\d+\. Servicepunkterna", goals)[0]
    investments = re.split(r"\d+\. Investeringar", text)[1]
    investments = re.split(r"\d+\. Utbetalningar", investments)[0]

    # One service point of four: the year is over, so the goal was not met.
    assert "Servicepunkter med avtal i kraft minst 4 1 Ej uppnått" in goals
    # Pers Livs' first reported year: no year before to compare with.
    assert "Förändring i besökare per vecka +5 % – Ännu inte mätbart" in goals
    assert "Eget mål Alla servicepunkter kan vara trygghetspunkter" in goals
    assert "Pers Livs har reservkraft Uppnått" in goals
    assert "Pers Livs" in investments
    assert "2025-04-15 Uttagsautomat 100 000 kr" in investments
    assert "Annat stöd: 20 000 kr (Leader)" in investments
    assert "RS 2025/112" in investments
    for source, amount in [
        ("Regionens investeringsbidrag", "50 000 kr"),
        ("Kommunen", "20 000 kr"),
        ("Butiken själv", "10 000 kr"),
        ("Annat stöd", "20 000 kr"),
        ("Totalt", "100 000 kr"),
    ]:
        assert f"{source} {amount}" in investments


def test_the_report_is_pdf_a_3a(pdf_path):
    metadata = run("pdfinfo", "-meta", pdf_path)

    assert re.search(r'pdfaid:part(="|>)3', metadata)
    assert re.search(r'pdfaid:conformance(="|>)A', metadata)
    assert re.search(r"^Tagged:\s+yes$", run("pdfinfo", pdf_path), re.MULTILINE)


def test_every_font_is_embedded(pdf_path):
    rows = run("pdffonts", pdf_path).splitlines()[2:]

    assert rows
    for row in rows:
        name, *_columns, emb, _sub, _uni, _object, _generation = row.split()
        assert emb == "yes", row
        assert "Source-Sans-3" in name, row


def test_two_renders_on_one_day_are_byte_identical(year_of_records, own_outlet):
    def render():
        return annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2025, today=TODAY
        )

    assert render() == render()


def test_the_pages_render_to_images(tmp_path, pdf_path):
    run("pdftoppm", "-png", "-r", "60", pdf_path, str(tmp_path / "page"))

    assert sorted(tmp_path.glob("page-*.png"))


def test_the_report_of_a_year_holds_its_follow_ups_actions_and_grant_claim(
    tmp_path, year_of_records, own_outlet
):
    from deliveries.models import Delivery

    Delivery.objects.create(
        outlet=own_outlet,
        delivered_on=datetime.date(2026, 3, 10),
        household_reference="H-017",
        cost=150,
    )
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2026, today=TODAY
        )
    )

    text = " ".join(run("pdftotext", str(path), "-").split())

    for expected in [
        "Preliminär årsrapport 2026",
        "Pers Livs, avtalsår 1 (2025-01-01 – 2025-12-31)",
        "Förfaller 2026-03-01: klar.",
        "Bedömning: Servicepunkten fungerar väl.",
        "Ny skylt vid vägen Kommunen",
        "+8,3 %",
        "Uppnått",
        # 150 kr net: the grant is half, 75 kr, under the cap of 100 kr.
        "Totalt 1 150 kr Statligt bidrag att söka för kommunen 75 kr",
    ]:
        assert expected in text, expected


def render_text(tmp_path, municipality, year, today=TODAY):
    path = tmp_path / f"arsrapport-{year}.pdf"
    path.write_bytes(
        annual_report_render_pdf(municipality=municipality, year=year, today=today)
    )
    return " ".join(run("pdftotext", str(path), "-").split())


def layout_line(tmp_path, municipality, year, label, today=TODAY):
    """The line of the report's text, laid out as on the page, that starts with
    `label`: a key figure with its value, whatever order plain extraction picks."""
    path = tmp_path / f"arsrapport-{year}-layout.pdf"
    path.write_bytes(
        annual_report_render_pdf(municipality=municipality, year=year, today=today)
    )
    lines = run("pdftotext", "-layout", str(path), "-").splitlines()
    return next(" ".join(line.split()) for line in lines if label in line)


def test_the_report_says_what_the_site_visit_and_the_owner_found(
    tmp_path, year_of_records, own_outlet, official
):
    from followup.models import ChecklistCriterion, ChecklistResult, SiteVisit

    followup = year_of_records.followups.get(agreement_year=1)
    followup.report.problems = "Datorn var trasig i tre veckor."
    followup.report.needs_and_wishes = "En ny anslagstavla."
    followup.report.save()
    visit = SiteVisit.objects.create(
        followup=followup, visited_on=datetime.date(2025, 11, 20), visitors="Eva"
    )
    sign, rack = [
        ChecklistCriterion.objects.get_or_create(
            municipality=own_outlet.municipality, text=text
        )[0]
        for text in ["Skylt utanför", "Informationsstället är aktuellt"]
    ]
    ChecklistResult.objects.create(
        site_visit=visit,
        criterion=sign,
        result=ChecklistResult.Result.NOT_OK,
        remark="Skylten är blekt.",
    )
    ChecklistResult.objects.create(
        site_visit=visit, criterion=rack, result=ChecklistResult.Result.OK
    )

    text = render_text(tmp_path, own_outlet.municipality, 2026)

    followups = text.split("Uppföljningar och överenskomna åtgärder")[1]
    for expected in [
        "Problem som ägaren rapporterade Datorn var trasig i tre veckor.",
        "Ägarens behov och önskemål En ny anslagstavla.",
        "Inte i ordning vid platsbesöket",
        "Skylt utanför Skylten är blekt.",
        "Bedömning: Servicepunkten fungerar väl.",
    ]:
        assert expected in followups, expected
    assert "Informationsstället är aktuellt" not in followups


def test_open_actions_of_earlier_years_count_and_are_listed_until_done_late_marked(
    tmp_path, year_of_records, own_outlet
):
    from followup.models import AgreedAction

    AgreedAction.objects.filter(text="Ny skylt vid vägen").update(
        due_on=datetime.date(2026, 4, 1)
    )

    text = render_text(
        tmp_path, own_outlet.municipality, 2027, today=datetime.date(2027, 5, 2)
    )

    # Agreed at the 2026 follow-up, still open in 2027; the done one is not carried.
    assert (
        layout_line(
            tmp_path,
            own_outlet.municipality,
            2027,
            "Öppna överenskomna åtgärder",
            today=datetime.date(2027, 5, 2),
        )
        == "Öppna överenskomna åtgärder 1 av 1"
    )
    carried = text.split("Öppna åtgärder från tidigare år")[1]
    assert "Pers Livs 2026-02-10 Ny skylt vid vägen Kommunen 2026-04-01 Försenad" in (
        carried
    )
    assert "Flytta datorn" not in carried


def test_the_home_delivery_grant_is_shown_once_for_the_municipality(
    tmp_path, year_of_records, own_outlet
):
    from deliveries.tests.factories import DeliveryFactory
    from outlets.tests.factories import OutletFactory

    # Pers Livs: 10 × 150 kr; alone, its share would be 750 kr. ICA: one delivery of
    # 2 000 kr; alone, 100 kr. Together: min(3 500 / 2, 11 × 100) = 1 100 kr.
    for day in range(1, 11):
        DeliveryFactory(
            outlet=own_outlet, delivered_on=datetime.date(2026, 3, day), cost=150
        )
    DeliveryFactory(
        outlet=OutletFactory(name="ICA Lundins"),
        delivered_on=datetime.date(2026, 3, 1),
        cost=2000,
    )

    text = render_text(tmp_path, own_outlet.municipality, 2026)

    # The sections are numbered; the heading's words find it wherever it stands.
    deliveries = re.split(r"\d+\. Hemsändning", text)[1]
    deliveries = re.split(r"\d+\. Utbildningar", deliveries)[0]
    assert "Enligt hemsändningsloggen" in deliveries
    assert "ICA Lundins 1 2 000 kr Pers Livs 10 1 500 kr" in deliveries
    assert "Totalt 11 3 500 kr Statligt bidrag att söka för kommunen 1 100 kr" in (
        deliveries
    )
    assert not re.search(r"(?<!1 )750 kr", deliveries)  # Pers Livs' share alone
    assert "halva den totala nettokostnaden (1 750 kr)" in deliveries


def test_the_report_of_a_year_not_yet_over_is_preliminary_and_states_the_money_rule(
    tmp_path, year_of_records, own_outlet
):
    this_year = render_text(tmp_path, own_outlet.municipality, 2026)
    last_year = render_text(tmp_path, own_outlet.municipality, 2025)

    assert this_year.startswith("Nordmalings kommun År 2026 Datum 2026-06-01 Status")
    assert "Preliminär årsrapport 2026" in this_year
    assert "Preliminär: året är inte slut. Siffrorna gäller per 2026-06-01" in this_year
    assert "Preliminär" not in last_year
    rule = (
        "Pengar räknas efter den period en utbetalning avser, inte efter "
        "betalningsdagen"
    )
    assert rule in this_year
    assert rule in last_year


def test_the_report_calls_the_service_points_service_points(
    tmp_path, year_of_records, own_outlet
):
    from followup.models import Activity

    Activity.objects.create(
        outlet=own_outlet, held_on=datetime.date(2026, 5, 6), title="Fika"
    )

    text = render_text(tmp_path, own_outlet.municipality, 2026)

    activities = text.split("Aktiviteter på servicepunkterna")[1]
    assert activities.startswith(" SERVICEPUNKT DATUM AKTIVITET")
    assert "försäljningsställe" not in text.lower()


def test_the_report_lists_the_years_trainings_and_activities(
    tmp_path, year_of_records, own_outlet
):
    from followup.models import Activity, Training

    training = Training.objects.create(
        municipality=own_outlet.municipality,
        held_on=datetime.date(2026, 4, 20),
        topic=Training.Topic.CRISIS,
        organiser="Länsstyrelsen Västerbotten",
        participant_count=4,
    )
    training.outlets.add(own_outlet)
    Activity.objects.create(
        outlet=own_outlet,
        held_on=datetime.date(2026, 5, 6),
        title="Fika och hjälp med BankID",
        participants=12,
    )
    Activity.objects.create(
        outlet=own_outlet, held_on=datetime.date(2025, 5, 6), title="Förra årets träff"
    )
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        annual_report_render_pdf(
            municipality=own_outlet.municipality, year=2026, today=TODAY
        )
    )

    text = " ".join(run("pdftotext", str(path), "-").split())

    trainings, activities = text.split("Utbildningar för servicepunkternas personal")[
        1
    ].split("Aktiviteter på servicepunkterna")
    for expected in ["2026-04-20", "Krisberedskap", "Länsstyrelsen Västerbotten"]:
        assert expected in trainings, expected
    for expected in ["Pers Livs", "2026-05-06", "Fika och hjälp med BankID", "12"]:
        assert expected in activities, expected
    assert "Förra årets träff" not in text


def test_the_service_points_section_names_the_money_ersattning_excluding_vat(
    pdf_path,
):
    text = " ".join(run("pdftotext", pdf_path, "-").split())

    text = text.lower()
    section = text.split("utbetalningar")[0].rsplit("servicepunkterna", 1)[1]
    assert "beloppen är exkl. moms." in section
    assert "ersättning per år" in section
    assert "årsavgift" not in text
