"""A withheld payout is no dead end (issue 16 review, point 2): an official of the
municipality releases it (*Släpp*: planned again, who and when kept) or cancels it
with a reason, from the agreement page or the payouts page."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from agreements.models import Payout, PayoutEvent
from agreements.services import (
    payout_approve,
    payout_cancel,
    payout_release,
    payout_withhold,
)
from agreements.tests.test_cancelled_payouts import (
    _official_of_another_municipality,
    quarter,
    quarterly,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db

REASON = "Lokalen stängd i april."


@pytest.fixture
def withheld(quarterly, official):  # noqa: F811 - the fixture
    payout = quarter(quarterly, date(2026, 4, 1))
    return payout_withhold(payout=payout, by=official, reason=REASON)


def test_a_released_payout_is_planned_again_with_who_and_when(withheld, colleague):
    payout_release(payout=withheld, by=colleague)

    withheld.refresh_from_db()
    assert withheld.status == Payout.Status.PLANNED
    assert withheld.status_changed_by == colleague
    assert withheld.status_changed_at is not None
    # The history keeps that it was withheld, why, and who released it.
    events = list(
        PayoutEvent.objects.filter(pgh_obj_id=withheld.pk)
        .order_by("pgh_id")
        .values_list("status", "withheld_reason", "status_changed_by")
    )
    assert ("withheld", REASON) in [event[:2] for event in events]
    assert events[-1] == ("planned", "", colleague.pk)
    # Planned again, it is approved as any planned payout.
    payout_approve(payout=withheld, by=colleague)
    assert withheld.status == Payout.Status.APPROVED


def test_a_withheld_payout_is_cancelled_with_a_reason(withheld, official):
    with pytest.raises(ValidationError):
        payout_cancel(payout=withheld, by=official, reason=" ")

    payout_cancel(payout=withheld, by=official, reason="Butiken lades ner.")

    withheld.refresh_from_db()
    assert withheld.status == Payout.Status.CANCELLED
    assert withheld.cancelled_reason == "Butiken lades ner."


def test_only_a_withheld_payout_is_released(quarterly, colleague):  # noqa: F811
    payout = quarter(quarterly, date(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        payout_release(payout=payout, by=colleague)
    assert error.value.messages == ["Bara en innehållen utbetalning kan släppas."]


def test_nobody_outside_the_municipality_releases(withheld, shop_owner):
    for outsider in (shop_owner, _official_of_another_municipality()):
        with pytest.raises(PermissionDenied):
            payout_release(payout=withheld, by=outsider)
    withheld.refresh_from_db()
    assert withheld.status == Payout.Status.WITHHELD


def test_the_payouts_page_releases_a_withheld_payout_and_comes_back(
    client, withheld, colleague
):
    client.force_login(colleague)
    page = client.get(reverse("agreements:payout_list"), {"status": "withheld"})
    page = page.content.decode()
    release = reverse("agreements:payout_release", args=[withheld.pk])
    assert f'action="{release}"' in page
    assert ">Släpp</button>" in page
    assert f'action="{reverse("agreements:payout_cancel", args=[withheld.pk])}"' in (
        page
    )
    back = reverse("agreements:payout_list") + "?status=withheld"

    response = client.post(release, {"next": back}, follow=True)

    assert response.redirect_chain == [(back, 302)]
    assert "Utbetalningen är släppt" in response.content.decode()
    withheld.refresh_from_db()
    assert withheld.status == Payout.Status.PLANNED


def test_the_payouts_page_cancels_a_withheld_payout_and_comes_back(
    client, withheld, colleague
):
    client.force_login(colleague)
    back = reverse("agreements:payout_list") + "?status=withheld"

    response = client.post(
        reverse("agreements:payout_cancel", args=[withheld.pk]),
        {"reason": "Butiken lades ner.", "next": back},
        follow=True,
    )

    assert response.redirect_chain == [(back, 302)]
    withheld.refresh_from_db()
    assert withheld.status == Payout.Status.CANCELLED


def test_the_agreement_page_offers_release_and_cancel_of_a_withheld_payout(
    client, withheld, colleague
):
    client.force_login(colleague)
    page = client.get(withheld.agreement.get_absolute_url()).content.decode()

    assert f'action="{reverse("agreements:payout_release", args=[withheld.pk])}"' in (
        page
    )
    assert f'action="{reverse("agreements:payout_cancel", args=[withheld.pk])}"' in (
        page
    )
    assert f"Innehållen: {REASON}" in page


def test_releasing_a_payout_that_is_not_withheld_says_so_and_changes_nothing(
    client,
    quarterly,  # noqa: F811 - the fixture
    colleague,
):
    payout = quarter(quarterly, date(2026, 4, 1))
    client.force_login(colleague)

    response = client.post(
        reverse("agreements:payout_release", args=[payout.pk]), follow=True
    )

    assert "Bara en innehållen utbetalning kan släppas." in response.content.decode()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PLANNED


def test_a_shop_owner_finds_no_release(client, withheld, shop_owner):
    client.force_login(shop_owner)
    response = client.post(reverse("agreements:payout_release", args=[withheld.pk]))
    assert response.status_code == 404
    assert client.get(
        reverse("agreements:payout_release", args=[withheld.pk])
    ).status_code in (404, 405)
