from datetime import date

import lxml.html
import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from followup.models import FollowUp, OwnerReport
from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def followup(agreement):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return agreement.followups.get()


@pytest.fixture
def other_owner_followup():
    """Owner B's follow-up in the same municipality."""
    outlet = OutletFactory(name="Handlarn Rundvik")
    UserFactory(shop_owner=True, outlets=[outlet])
    agreement = signed_agreement(outlet)
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return agreement.followups.get()


def test_owner_a_finds_every_page_of_owner_bs_follow_up_missing(
    client, shop_owner, other_owner_followup
):
    client.force_login(shop_owner)
    pages = [
        reverse(name, kwargs={"pk": other_owner_followup.pk})
        for name in ("followup:report", "followup:followup_detail")
    ]
    for url in pages:
        assert client.get(url).status_code == 404
    response = client.post(pages[0], {"problems": "Intrång", "submit": "1"})

    assert response.status_code == 404
    assert not OwnerReport.objects.filter(followup=other_owner_followup).exists()
    portal = client.get(reverse("followup:portal"))
    assert "Handlarn Rundvik" not in portal.content.decode()


def test_the_portal_shows_the_agreement_payouts_and_the_reports_to_fill_in(
    client, shop_owner, followup
):
    client.force_login(shop_owner)

    page = client.get(reverse("followup:portal")).content.decode()

    assert followup.agreement.reference in page
    assert reverse("followup:report", kwargs={"pk": followup.pk}) in page
    assert "Fyll i rapporten för år 1" in page
    # Stated as on the staff's pages: excluding VAT, then including it.
    assert "40\xa0000 kr exkl. moms</strong> (50\xa0000 kr inkl. moms)" in page


def test_staff_and_owner_pages_state_amounts_with_and_without_vat_alike(
    client, shop_owner, official, followup
):
    agreement = followup.agreement
    for user in (official, shop_owner):
        client.force_login(user)
        page = client.get(agreement.get_absolute_url()).content.decode()
        assert (
            "40\xa0000 kr exkl. moms (50\xa0000 kr inkl. moms, momssats 25 %)" in page
        )
        assert "Belopp exkl. moms" in page and "Belopp inkl. moms" in page
    client.force_login(official)
    page = client.get(reverse("agreements:agreement_list")).content.decode()
    assert "Ersättning per år, exkl. moms" in page


def report_url(followup):
    return reverse("followup:report", kwargs={"pk": followup.pk})


def test_numbers_are_read_as_people_type_them_on_a_phone(client, shop_owner, followup):
    client.force_login(shop_owner)

    response = client.post(
        report_url(followup),
        {"visitors_per_week": "ca 1 200", "parcels_handled": "40 st", "save": "1"},
    )

    assert response.status_code == 302
    report = OwnerReport.objects.get(followup=followup)
    assert (report.visitors_per_week, report.parcels_handled) == (1200, 40)
    assert report.status == OwnerReport.Status.DRAFT


@pytest.mark.parametrize(
    ("typed", "visitors", "counting"),
    [
        ("ungefär 40", 40, "estimated"),
        ("ca 40", 40, "estimated"),
        ("Cirka 40", 40, "estimated"),
        ("40 st", 40, ""),
        ("1 200", 1200, ""),
        ("40-50", 45, "estimated"),
        ("40–50", 45, "estimated"),
        ("40 - 45", 43, "estimated"),
    ],
)
def test_visitors_are_read_as_a_shopkeeper_writes_them(
    client, shop_owner, followup, typed, visitors, counting
):
    client.force_login(shop_owner)

    response = client.post(
        report_url(followup), {"visitors_per_week": typed, "save": "1"}
    )

    assert response.status_code == 302
    report = OwnerReport.objects.get(followup=followup)
    assert (report.visitors_per_week, report.visitors_counting) == (
        visitors,
        counting,
    )


def test_a_range_keeps_the_counting_the_owner_chose(client, shop_owner, followup):
    client.force_login(shop_owner)

    client.post(
        report_url(followup),
        {"visitors_per_week": "40–50", "visitors_counting": "counted", "save": "1"},
    )

    report = OwnerReport.objects.get(followup=followup)
    assert (report.visitors_per_week, report.visitors_counting) == (45, "counted")


def test_the_form_says_how_to_write_an_estimate(client, shop_owner, followup):
    client.force_login(shop_owner)

    page = client.get(report_url(followup)).content.decode()

    assert "som räknas som mittvärdet (45)" in page


def test_a_value_not_understood_does_not_stop_the_draft_from_saving(
    client, shop_owner, followup
):
    client.force_login(shop_owner)

    response = client.post(
        report_url(followup),
        {
            "worked_well": "Bra sommar",
            "visitors_per_week": "ca 300",
            "parcels_handled": "många",
            "save": "1",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Dina svar är sparade, utom det som är markerat" in page
    assert "Vi förstod inte ”många”." in page
    assert 'value="många"' in page
    # "ca 300" is saved as an estimate, and the form says so.
    assert 'value="estimated" id="id_visitors_counting_1" checked' in page
    report = OwnerReport.objects.get(followup=followup)
    assert (
        report.worked_well,
        report.visitors_per_week,
        report.visitors_counting,
        report.parcels_handled,
    ) == ("Bra sommar", 300, "estimated", None)


def test_a_value_not_understood_keeps_the_report_from_being_sent(
    client, shop_owner, followup
):
    client.force_login(shop_owner)

    response = client.post(
        report_url(followup),
        {
            "visitors_per_week": "300",
            "visitors_counting": "counted",
            "cash_withdrawals": "40 eller så",
            "submit": "1",
        },
    )

    assert response.status_code == 400
    assert "Vi förstod inte ”40 eller så”." in response.content.decode()
    report = OwnerReport.objects.get(followup=followup)
    assert (report.status, report.visitors_per_week) == ("draft", 300)


def test_sending_without_the_visitors_keeps_the_answers_and_says_what_is_missing(
    client, shop_owner, followup
):
    client.force_login(shop_owner)

    response = client.post(
        report_url(followup), {"worked_well": "Bra sommar", "submit": "1"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ange antalet besökare en vanlig vecka" in page
    assert "Dina svar är sparade." in page
    report = OwnerReport.objects.get(followup=followup)
    assert (report.worked_well, report.status) == ("Bra sommar", "draft")


def test_a_sent_report_is_shown_locked_and_a_post_changes_nothing(
    client, shop_owner, followup
):
    client.force_login(shop_owner)
    client.post(
        report_url(followup),
        {"visitors_per_week": "300", "visitors_counting": "counted", "submit": "1"},
    )

    response = client.post(
        report_url(followup), {"visitors_per_week": "1", "save": "1"}, follow=True
    )

    assert "Rapporten är skickad och kan inte längre ändras." in (
        response.content.decode()
    )
    report = OwnerReport.objects.get(followup=followup)
    assert (report.status, report.visitors_per_week) == ("submitted", 300)
    assert (
        "<form"
        not in client.get(report_url(followup))
        .content.decode()
        .split("<main")[1]
        .split("Logga ut")[0]
    )


def test_the_official_sends_a_report_back_with_a_comment_the_owner_then_reads(
    client, shop_owner, official, followup
):
    client.force_login(shop_owner)
    client.post(
        report_url(followup),
        {"visitors_per_week": "300", "visitors_counting": "counted", "submit": "1"},
    )
    client.force_login(official)

    response = client.post(
        reverse("followup:report_return", kwargs={"pk": followup.pk}),
        {"return-comment": "Ange antal paket."},
    )

    assert response.status_code == 302
    client.force_login(shop_owner)
    page = client.get(report_url(followup)).content.decode()
    assert "Ange antal paket." in page
    assert "Skicka till kommunen" in page


def test_the_follow_up_list_sorts_overdue_due_and_complete_in_few_queries(
    client, official, django_assert_max_num_queries
):
    for _ in range(5):
        agreement = signed_agreement(starts_on=date(2024, 1, 1))
        followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    client.force_login(official)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("followup:followup_list"))

    assert response.status_code == 200
    overdue = FollowUp.objects.overdue().count()
    assert overdue >= 5  # the first agreement years, due in 2025
    assert f"Försenade ({overdue})" in response.content.decode()


def test_the_owner_is_told_in_words_when_the_report_is_late(
    client, shop_owner, followup
):
    """Due 2026-03-01 and not sent: both the portal and the report page say so."""
    assert followup.due_on == date(2026, 3, 1)
    client.force_login(shop_owner)
    late = "Försenad – skulle ha skickats senast 2026-03-01."

    portal = client.get(reverse("followup:portal")).content.decode()
    report_page = client.get(
        reverse("followup:report", kwargs={"pk": followup.pk})
    ).content.decode()

    assert late in portal and "Skicka den senast" not in portal
    assert late in report_page


def error_summary_links(response):
    """(link text, target) of each entry in the page's error summary."""
    summary = lxml.html.fromstring(response.content).find_class("error-summary")[0]
    return [(link.text_content(), link.get("href")) for link in summary.iter("a")]


def test_the_error_summary_links_to_each_field_with_an_error(
    client, shop_owner, followup
):
    client.force_login(shop_owner)

    response = client.post(
        report_url(followup),
        {"home_deliveries": "några stycken", "visitors_counting": "guessed"},
    )

    links = error_summary_links(response)
    assert [href for _, href in links] == [
        "#id_visitors_counting_0",
        "#id_home_deliveries",
    ]
    assert links[1][0] == "Hemsändningar"
    page = response.content.decode()
    # Each link leads to an element that is there: the first radio button of a group.
    assert 'id="id_visitors_counting_0"' in page and 'id="id_home_deliveries"' in page


def test_the_sent_report_shows_its_figures_grouped_in_thousands(
    client, shop_owner, official, followup
):
    client.force_login(shop_owner)
    client.post(
        report_url(followup),
        {
            "worked_well": "Öppet 1200 timmar",
            "visitors_per_week": "1200",
            "visitors_counting": "counted",
            "parcels_handled": "15000",
            "submit": "1",
        },
    )
    assert OwnerReport.objects.get(followup=followup).status == "submitted"

    locked = client.get(report_url(followup)).content.decode()
    client.force_login(official)
    staff = client.get(followup.get_absolute_url()).content.decode()

    for page in (locked, staff):
        assert "<dd>1\xa0200</dd>" in page and "<dd>15\xa0000</dd>" in page
        # What the owner wrote is shown as written.
        assert "<dd>Öppet 1200 timmar</dd>" in page


def test_the_portal_shows_a_withheld_payout_with_its_reason(
    client, shop_owner, official, agreement
):
    """Issue 16 review, point 6: the owner needs to know why money is held back;
    a cancelled payout, never paid, is not listed."""
    from agreements.models import Payout
    from agreements.services import payout_cancel, payout_withhold

    first, *rest = agreement.payouts.order_by("period_start")
    payout_withhold(payout=first, by=official, reason="Öppettiderna hölls inte.")
    for payout in rest:
        payout_cancel(payout=payout, by=official, reason="Dubbelregistrerad.")
    client.force_login(shop_owner)

    page = client.get(reverse("followup:portal")).content.decode()

    assert "Innehållen: Öppettiderna hölls inte." in page
    assert "Dubbelregistrerad." not in page
    assert agreement.payouts.filter(status=Payout.Status.WITHHELD).count() == 1


@pytest.mark.parametrize("count", [3, 30])
def test_the_follow_up_list_shows_the_earliest_overdue_in_the_same_queries(
    client, official, count, django_assert_max_num_queries, monkeypatch
):
    """Thousands of agreements have as many follow-ups overdue or due: the list
    shows the earliest of each and counts them all."""
    from followup.views import followup as followup_views

    monkeypatch.setattr(followup_views, "OPEN_SHOWN", 10)
    for outlet in OutletFactory.create_batch(count):
        agreement = signed_agreement(outlet, payouts_planned_on=None)
        followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    client.force_login(official)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("followup:followup_list")).content.decode()

    assert f"Försenade ({count})" in page
    rows = lxml.html.fromstring(page).xpath(
        '//section[@aria-labelledby="overdue-heading"]//tbody/tr'
    )
    assert len(rows) == min(count, 10)
    assert ("De 10 tidigaste av 30 visas." in page) == (count == 30)
