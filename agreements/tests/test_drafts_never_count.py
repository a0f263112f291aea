"""Drafts never count (issue 16, point 5): an amendment or a renewal being drafted,
or ready for signature and not yet signed by both, changes none of the figures. The
agreement list, the key figures, the budget page and the staff's start page show
what is in force, with the change under work beside it."""

import re
from datetime import date
from html import unescape

import pytest
from django.utils import timezone

from accounts.tests.factories import TEST_PASSWORD
from agreements.services import (
    agreement_amend,
    agreement_create,
    agreement_mark_ready,
    agreement_renew,
    agreement_sign,
    agreement_update_draft,
)
from agreements.tests.conftest import TERMS, lines
from agreements.tests.test_services import sign_both

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
NEXT_YEAR = THIS_YEAR + 1
FROM = date(NEXT_YEAR, 1, 1)


def page_text(response) -> str:
    """What a reader sees of the page's main part, tags and spacing left out."""
    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return tags_removed(main)


def tags_removed(html) -> str:
    """The text of the HTML as read: inline tags leave no space, others one."""
    html = re.sub(r"</?(a|strong|em|span|abbr)\b[^>]*>", "", html)
    text = unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")
    return " ".join(text.split())


@pytest.fixture
def in_force(official, shop_owner, own_outlet, party, catalogue):
    """An agreement of 40 000 kr a year, signed by both, in force since 1 January."""
    agreement = agreement_create(
        by=official,
        outlet=own_outlet,
        party=party,
        version_fields={
            **TERMS,
            "decision_date": date(THIS_YEAR - 1, 12, 9),
            "starts_on": date(THIS_YEAR, 1, 1),
        },
        services=lines(catalogue),
    )
    agreement_mark_ready(agreement=agreement, by=official)
    sign_both(agreement, official, shop_owner)
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def amendment(official, in_force, catalogue):
    """An amendment being drafted: 50 000 kr a year from next 1 January."""
    agreement_amend(
        agreement=in_force, by=official, effective_on=FROM, reason="En tjänst till."
    )
    agreement_update_draft(
        agreement=in_force,
        by=official,
        version_fields={"annual_compensation": 50_000},
        services=lines(catalogue, count=5),
    )
    return in_force.versions.get(number=2)


@pytest.fixture
def renewal(official, in_force, catalogue):
    """A renewal being drafted: 50 000 kr a year from next 1 January."""
    renewal = agreement_renew(agreement=in_force, by=official, starts_on=FROM)
    agreement_update_draft(
        agreement=renewal,
        by=official,
        version_fields={"annual_compensation": 50_000},
        services=lines(catalogue, count=5),
    )
    return renewal


AMENDMENT = f"Tillägg under arbete: 50 000 kr från {FROM.isoformat()}"
RENEWAL = f"Förnyelse under arbete: 50 000 kr från {FROM.isoformat()}"


def agreement_row(response, agreement):
    """What the list's row of the agreement says."""
    assert response.status_code == 200
    html = response.content.decode()
    link = f'href="{agreement.get_absolute_url()}"'
    start = html.rindex("<tr", 0, html.index(link))
    row = html[start : html.index("</tr>", start)]
    return tags_removed(row)


def test_the_agreement_list_shows_the_compensation_in_force_with_the_amendment_beside(
    client, official, in_force, amendment
):
    client.force_login(official)
    row = agreement_row(client.get("/agreements/"), in_force)
    assert f"40 000 kr {AMENDMENT}" in row
    assert row.count("50 000 kr") == 1


def test_the_agreement_list_shows_an_amendment_ready_for_signature_as_under_work(
    client, official, shop_owner, in_force, amendment
):
    agreement_mark_ready(agreement=in_force, by=official)
    agreement_sign(
        agreement=in_force,
        by=official,
        side="municipality",
        name="Johan Berg",
        title="Näringslivsutvecklare",
        password=TEST_PASSWORD,
    )
    client.force_login(shop_owner)
    row = agreement_row(client.get("/agreements/"), in_force)
    assert f"40 000 kr {AMENDMENT}" in row


def test_the_agreement_list_counts_the_amendment_once_both_have_signed(
    client, official, shop_owner, in_force, amendment
):
    agreement_mark_ready(agreement=in_force, by=official)
    sign_both(in_force, official, shop_owner)
    client.force_login(official)
    row = agreement_row(client.get("/agreements/"), in_force)
    # Signed, it rules from next year: this year's terms are still 40 000 kr.
    assert "40 000 kr" in row
    assert "under arbete" not in row


def test_the_agreement_list_shows_the_renewal_beside_the_agreement_it_replaces(
    client, official, in_force, renewal
):
    client.force_login(official)
    row = agreement_row(client.get("/agreements/"), in_force)
    assert f"40 000 kr {RENEWAL}" in row


def test_the_key_figures_count_what_is_in_force_with_the_drafts_beside(
    client, official, in_force, amendment
):
    client.force_login(official)
    text = page_text(client.get(f"/reports/?year={NEXT_YEAR}"))
    assert "Åtagen ersättning 40 000 kr" in text
    assert f"{AMENDMENT} ({in_force.outlet.name}" in text


def test_the_budget_page_commits_what_is_in_force_with_the_drafts_beside(
    client, official, in_force, amendment
):
    client.force_login(official)
    text = page_text(client.get("/agreements/budget/"))
    next_year = text[text.index(f" {NEXT_YEAR} ") : text.index(f" {THIS_YEAR} ")]
    assert f"40 000 kr {AMENDMENT} ({in_force.outlet.name}" in next_year
    this_year = text[text.index(f" {THIS_YEAR} ") :]
    assert "under arbete" not in this_year.split("Ange årets budget")[0]


def test_the_budget_page_shows_a_renewal_in_the_years_it_would_change(
    client, official, in_force, renewal
):
    client.force_login(official)
    text = page_text(client.get("/agreements/budget/"))
    next_year = text[text.index(f" {NEXT_YEAR} ") : text.index(f" {THIS_YEAR} ")]
    assert f"40 000 kr {RENEWAL} ({in_force.outlet.name}" in next_year


def test_the_staff_start_page_shows_the_drafts_beside_the_commitment(
    client, official, in_force, amendment
):
    client.force_login(official)
    text = page_text(client.get("/"))
    assert "Åtagande 40 000 kr" in text
    assert f"{AMENDMENT} ({in_force.outlet.name}" in text
