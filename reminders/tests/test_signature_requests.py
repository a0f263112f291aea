"""The shop owner's e-mail when a document is made ready for signature (issue 16,
point 5): one per ready-marking to each of the outlet's shop owners, after commit,
with the link to the page where they sign."""

from datetime import date
from smtplib import SMTPException

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Invitation
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.models import Agreement
from agreements.services import agreement_amend, agreement_mark_ready, agreement_sign
from agreements.tests.factories import AgreementVersionFactory
from reminders import receivers

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(own_outlet):
    """Pers Livs' draft agreement, 40 000 kr a year."""
    return AgreementVersionFactory(agreement__outlet=own_outlet).agreement


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the block leaves for after commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_making_an_agreement_ready_emails_each_shop_owner_of_the_outlet_once(
    mailoutbox, committed, official, draft, shop_owner, bystanders
):
    partner = UserFactory(
        shop_owner=True,
        email="kerstin@perslivs.example",
        full_name="Kerstin Lindberg",
        outlets=[draft.outlet],
    )
    with committed():
        agreement_mark_ready(agreement=draft, by=official)

    draft.refresh_from_db()
    subject = f"Avtal {draft.reference} för Pers Livs väntar på din underskrift"
    assert sorted((mail.to, mail.subject) for mail in mailoutbox) == [
        ([partner.email], subject),
        ([shop_owner.email], subject),
    ]
    mail = next(mail for mail in mailoutbox if mail.to == [partner.email])
    assert mail.body.startswith("Hej Kerstin Lindberg!")
    assert (
        f"Avtal {draft.reference} för Pers Livs, mellan Nordmalings kommun och "
        f"{draft.party.name}, är klart för underskrift."
    ) in mail.body
    assert f"https://servicepunkter.example.se/agreements/{draft.pk}/" in mail.body


def test_a_rolled_back_ready_marking_sends_nothing(
    mailoutbox, committed, official, draft, shop_owner
):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        agreement_mark_ready(agreement=draft, by=official)
        raise RuntimeError("the request failed after the marking")

    assert mailoutbox == []
    draft.refresh_from_db()
    assert draft.state == Agreement.State.DRAFT


def test_a_double_post_of_the_ready_marking_sends_one_mail(
    client, mailoutbox, committed, official, draft, shop_owner
):
    client.force_login(official)
    with committed():
        first = client.post(f"/agreements/{draft.pk}/ready/", follow=True)
        second = client.post(f"/agreements/{draft.pk}/ready/", follow=True)

    assert "Avtalet är klart för underskrift." in first.content.decode()
    assert "Versionen är redan låst." in second.content.decode()
    assert [mail.to for mail in mailoutbox] == [[shop_owner.email]]


def test_a_retried_ready_marking_is_refused_and_sends_nothing_more(
    mailoutbox, committed, official, draft, shop_owner
):
    with committed():
        agreement_mark_ready(agreement=draft, by=official)
    with committed(), pytest.raises(ValidationError):
        agreement_mark_ready(agreement=draft, by=official)
    assert len(mailoutbox) == 1


def test_an_amendment_made_ready_is_named_in_the_mail(
    mailoutbox, committed, official, draft, shop_owner
):
    agreement_mark_ready(agreement=draft, by=official)
    for side, by in (("municipality", official), ("party", shop_owner)):
        agreement_sign(
            agreement=draft,
            by=by,
            side=side,
            name=by.full_name,
            title="Firmatecknare",
            password=TEST_PASSWORD,
        )
    agreement_amend(
        agreement=draft, by=official, effective_on=date(2026, 7, 1), reason="Ny tjänst"
    )
    with committed():
        agreement_mark_ready(agreement=draft, by=official)

    [mail] = mailoutbox
    draft.refresh_from_db()
    assert mail.subject == (
        f"Tillägg 1 till avtal {draft.reference} för Pers Livs väntar på din "
        "underskrift"
    )


def test_the_mail_is_in_the_language_the_owner_was_invited_in(
    mailoutbox, committed, official, draft, shop_owner
):
    Invitation.objects.create(user=shop_owner, token_hash="x" * 64, language="en")
    with committed():
        agreement_mark_ready(agreement=draft, by=official)

    [mail] = mailoutbox
    draft.refresh_from_db()
    assert mail.subject == (
        f"Agreement {draft.reference} for Pers Livs waits for your signature"
    )
    assert mail.body.startswith("Hello ")


def test_a_failing_mail_server_leaves_the_agreement_ready_for_signature(
    monkeypatch, mailoutbox, committed, official, draft, shop_owner
):
    def refuse(**kwargs):
        raise SMTPException("the mail server is down")

    monkeypatch.setattr(receivers, "send_mail", refuse)
    with committed():
        agreement_mark_ready(agreement=draft, by=official)

    draft.refresh_from_db()
    assert draft.state == Agreement.State.READY
    assert mailoutbox == []
