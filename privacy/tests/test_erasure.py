"""Erasure by anonymisation in place (issue 15)."""

from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User, UserEvent
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.models import Agreement, Signature
from agreements.tests.test_documents import pdf_text
from calendarfeed.models import CalendarFeed
from calendarfeed.services import calendar_feed_renew
from core.triggers import erasure_allowed
from outlets.models import OutletContact, OutletContactEvent, OutletImportRun
from privacy.erasure import contact_erase, user_erase
from securitylog.models import EventKind, SecurityEvent
from securitylog.services import security_event_record

pytestmark = pytest.mark.django_db


def ended(agreement):
    """The agreement ended last spring."""
    Agreement.objects.filter(pk=agreement.pk).update(ends_on=date(2026, 3, 31))


def personal_values_left(user_pk, values):
    """Rows of any table whose text holds one of the values, outside signed
    records (signatures, signed versions and their history)."""
    kept = {
        "agreements_signature",
        "agreements_signatureevent",
        "agreements_agreementversion",
        "agreements_agreementversionevent",
        "agreements_party",
        "agreements_partyevent",
    }
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        for (table,) in cursor.fetchall():
            if table in kept:
                continue
            for value in values:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" AS t'  # noqa: S608
                    " WHERE t::text ILIKE %s",
                    [f"%{value}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, value))
    return found


@pytest.fixture
def per_lindberg(shop_owner):
    """The shop owner by name before signing: a signature in the app takes the
    signer's own name."""
    shop_owner.full_name = "Per Lindberg"
    shop_owner.save()
    return shop_owner


def test_an_erased_shop_owner_cannot_sign_in_and_nothing_of_them_is_left_but_the_signed_agreement(  # noqa: E501
    client, administrator, per_lindberg, signed, own_outlet, tmp_path
):
    shop_owner = per_lindberg
    TOTPDevice.objects.create(user=shop_owner, name="app", confirmed=True)
    StaticDevice.objects.create(user=shop_owner, name="recovery")
    OutletContact.objects.create(
        outlet=own_outlet, name="Per L.", email="OWNER@perslivs.example", phone="070"
    )
    client.force_login(shop_owner)
    security_event_record(kind=EventKind.SIGNED_IN, user=shop_owner)
    ended(signed)

    erasure = user_erase(user=shop_owner, by=administrator, reason="Slutat 2026")

    shop_owner.refresh_from_db()
    assert shop_owner.email == f"raderad-{shop_owner.pk}@invalid"
    assert shop_owner.full_name == ""
    assert not shop_owner.is_active
    assert not shop_owner.has_usable_password()
    assert list(shop_owner.outlets.all()) == []
    assert not TOTPDevice.objects.filter(user=shop_owner).exists()
    assert not StaticDevice.objects.filter(user=shop_owner).exists()
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")
    ]
    assert (
        personal_values_left(
            shop_owner.pk, ["owner@perslivs.example", "Per L.", "Per Lindberg"]
        )
        == []
    )
    assert client.get("/outlets/").status_code == 302
    for email in ("owner@perslivs.example", shop_owner.email):
        response = client.post(
            reverse("accounts:login"), {"username": email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    # The signed agreement still names them and still verifies.
    signature = Signature.objects.get(user=shop_owner)
    assert signature.signed_by_name == "Per Lindberg"
    version = signed.first_version()
    with version.signed_document.open("rb") as file:
        assert "Per Lindberg" in pdf_text(tmp_path, file.read())
    call_command("verify_agreement_pdfs")
    # The log says what was erased, not the values.
    entry = SecurityEvent.objects.get(detail__startswith=f"user #{shop_owner.pk}")
    assert entry.user == administrator
    assert "owner@perslivs.example" not in entry.detail
    assert "signatures on 1 signed agreement(s)" in entry.detail
    assert "1 contact person(s)" in erasure.removed


def test_erasure_is_refused_with_the_reason_while_an_agreement_is_in_force(
    administrator, shop_owner, signed
):
    with pytest.raises(ValidationError) as error:
        user_erase(user=shop_owner, by=administrator, reason="Slutat")
    assert error.value.code == "agreement_in_force"
    assert signed.reference in error.value.messages[0]
    assert "gäller" in error.value.messages[0]
    shop_owner.refresh_from_db()
    assert shop_owner.email == "owner@perslivs.example"
    assert shop_owner.is_active


def test_erasure_needs_a_reason(administrator, official):
    with pytest.raises(ValidationError) as error:
        user_erase(user=official, by=administrator, reason="  ")
    assert error.value.message_dict == {"reason": ["Skriv varför kontot raderas."]}


def test_an_erased_users_history_keeps_no_name_or_address(administrator, official):
    official.full_name = "Johan Berg"
    official.save()
    user_erase(user=official, by=administrator, reason="Slutat")
    events = UserEvent.objects.filter(pgh_obj_id=official.pk)
    assert events.count() >= 2
    assert set(events.values_list("email", "full_name")) == {("", "")}


def test_an_erased_users_calendar_address_is_deleted_and_finds_nothing(
    client, administrator, official
):
    token = calendar_feed_renew(user=official, language="sv")
    user_erase(user=official, by=administrator, reason="Slutat")
    assert not CalendarFeed.objects.filter(user=official).exists()
    path = reverse("calendarfeed:feed", kwargs={"token": token})
    assert client.get(path).status_code == 404


def test_a_contact_person_is_removed_and_blanked_in_the_outlets_history(
    official, own_outlet
):
    contact = OutletContact.objects.create(
        outlet=own_outlet, name="Anna Ek", email="anna@ek.example", phone="070-1"
    )
    contact.phone = "070-2"
    contact.save()
    pk = contact.pk
    contact_erase(contact=contact, by=official, reason="Bad om det")
    assert not OutletContact.objects.filter(pk=pk).exists()
    events = OutletContactEvent.objects.filter(pgh_obj_id=pk)
    assert events.count() == 3
    assert set(events.values_list("name", "email", "phone")) == {("", "", "")}


def import_run(outlet, **preview):
    return OutletImportRun.objects.create(
        municipality=outlet.municipality,
        file_name="lista.csv",
        file_size=10,
        sha256="0" * 64,
        preview={"counts": {"new": 1}, **preview},
    )


def test_erasure_cuts_the_import_previews_naming_the_person_to_their_counts(
    administrator, official, shop_owner, own_outlet
):
    shop_owner.full_name = "Per Larsson"
    shop_owner.save()
    by_email = import_run(own_outlet, new=[{"email": "Owner@PersLivs.example"}])
    by_name = import_run(own_outlet, changes=[{"contact": "Per Larsson, 070-1"}])
    contact = OutletContact.objects.create(
        outlet=own_outlet, name="Anna Ek", email="anna@ek.example", phone="070-2"
    )
    anna = import_run(own_outlet, new=[{"name": "Anna Ek", "email": "anna@x.example"}])
    other = import_run(own_outlet, new=[{"email": "eva@x.example"}])

    user_erase(user=shop_owner, by=administrator, reason="Slutat")
    contact_erase(contact=contact, by=official, reason="Bad om det")

    for run in (by_email, by_name, anna):
        run.refresh_from_db()
        assert run.preview == {"counts": {"new": 1}}
    other.refresh_from_db()
    assert other.preview["new"] == [{"email": "eva@x.example"}]


def refused(sql, params=()):
    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return str(error.value).splitlines()[0]


HISTORY_REFUSAL = "A history entry cannot be changed or deleted."


def test_the_history_of_users_refuses_changes_without_the_erasure_flag(official):
    event = UserEvent.objects.filter(pgh_obj_id=official.pk).last()
    assert (
        refused(
            "UPDATE accounts_userevent SET full_name = '' WHERE pgh_id = %s",
            [event.pk],
        )
        == HISTORY_REFUSAL
    )


def test_the_erasure_flag_lets_personal_columns_be_blanked_and_nothing_else(
    official,
):
    event = UserEvent.objects.filter(pgh_obj_id=official.pk).last()
    with transaction.atomic(), erasure_allowed():
        # Rewriting a value, or changing another column, stays refused.
        assert (
            refused(
                "UPDATE accounts_userevent SET full_name = 'Someone else'"
                " WHERE pgh_id = %s",
                [event.pk],
            )
            == HISTORY_REFUSAL
        )
        assert (
            refused(
                "UPDATE accounts_userevent SET role = 'administrator', full_name = ''"
                " WHERE pgh_id = %s",
                [event.pk],
            )
            == HISTORY_REFUSAL
        )
        assert (
            refused("DELETE FROM accounts_userevent WHERE pgh_id = %s", [event.pk])
            == HISTORY_REFUSAL
        )
        UserEvent.objects.filter(pk=event.pk).update(full_name="", email="")
    event.refresh_from_db()
    assert (event.full_name, event.email) == ("", "")


def test_the_erasure_flag_ends_with_its_transaction(official):
    with transaction.atomic(), erasure_allowed():
        pass
    event = UserEvent.objects.filter(pgh_obj_id=official.pk).last()
    assert (
        refused(
            "UPDATE accounts_userevent SET full_name = '' WHERE pgh_id = %s",
            [event.pk],
        )
        == HISTORY_REFUSAL
    )


def test_the_erasure_flag_opens_no_signed_record(signed):
    with transaction.atomic(), erasure_allowed():
        assert (
            refused("UPDATE agreements_signature SET signed_by_name = ''")
            == "A signature cannot be changed or deleted."
        )
        assert (
            refused("UPDATE agreements_signatureevent SET signed_by_name = ''")
            == HISTORY_REFUSAL
        )


def test_every_history_trigger_lets_erasure_blank_exactly_the_registrys_fields():
    from django.apps import apps

    from privacy.registry import erasable_fields

    for model in apps.get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is None:
            continue
        triggers = {t.name: t for t in getattr(model._meta, "triggers", [])}
        names = set(erasable_fields(tracked)) & {
            f.name for f in model._meta.concrete_fields
        }
        if names:
            assert "history_append_only" in triggers, model
        if "history_append_only" in triggers:
            columns = {model._meta.get_field(n).column for n in names}
            assert set(triggers["history_append_only"].erasable) == columns, model


def test_an_administrator_cannot_erase_themselves_or_another_municipalitys_user(
    administrator,
):
    from django.core.exceptions import PermissionDenied

    from outlets.tests.factories import municipality

    other = UserFactory(municipality=municipality("2480"))
    for person in (administrator, other):
        with pytest.raises(PermissionDenied):
            user_erase(user=person, by=administrator, reason="x")
    assert User.objects.filter(pk=other.pk, is_active=True).exists()
    assert not SecurityEvent.objects.filter(Q(detail__contains="erased")).exists()


def test_a_failed_erasure_leaves_the_flag_off(official):
    event = UserEvent.objects.filter(pgh_obj_id=official.pk).last()
    with transaction.atomic():
        with pytest.raises(RuntimeError), erasure_allowed():
            raise RuntimeError
        assert (
            refused(
                "UPDATE accounts_userevent SET full_name = '' WHERE pgh_id = %s",
                [event.pk],
            )
            == HISTORY_REFUSAL
        )


def test_the_security_log_keeps_who_did_what_and_loses_only_the_address_and_name(
    client, administrator, official
):
    official.full_name = "Lena Sjöberg"
    official.save()
    security_event_record(kind=EventKind.SIGNED_IN, user=official)
    security_event_record(
        kind=EventKind.DOWNLOAD, user=official, detail="forsaljningsstallen.csv"
    )
    security_event_record(
        kind=EventKind.DOWNLOAD, user=administrator, detail="Om Lena Sjöberg"
    )
    before = SecurityEvent.objects.count()

    user_erase(user=official, by=administrator, reason="Slutat på kommunen")

    # Every entry stays (and one more says what was erased): what the official did
    # still points at the anonymised account, what was done about them still names
    # who did it.
    assert SecurityEvent.objects.count() == before + 1
    theirs = SecurityEvent.objects.filter(user=official).order_by("pk")
    assert [(event.kind, event.email) for event in theirs] == [
        (EventKind.SIGNED_IN, ""),
        (EventKind.DOWNLOAD, ""),
    ]
    assert theirs[1].detail == "forsaljningsstallen.csv"
    about = SecurityEvent.objects.get(user=administrator, kind=EventKind.DOWNLOAD)
    assert about.detail == ""
    assert personal_values_left(official.pk, ["Lena Sjöberg"]) == []


def test_recording_a_partys_paper_signature_makes_no_official_a_party(
    official, colleague, shop_owner, administrator, draft
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.demo import DEMO_SCAN
    from agreements.services import agreement_mark_ready, agreement_sign

    agreement_mark_ready(agreement=draft, by=official)
    agreement_sign(
        agreement=draft,
        by=colleague,
        side="party",
        name="Per Lindberg",
        title="VD",
        paper_scan=SimpleUploadedFile("scan.pdf", DEMO_SCAN),
    )
    agreement_sign(
        agreement=draft,
        by=official,
        side="municipality",
        name="Johan Berg",
        title="Näringslivsutvecklare",
        password=TEST_PASSWORD,
    )
    draft.refresh_from_db()
    assert draft.state == Agreement.State.SIGNED

    user_erase(user=colleague, by=administrator, reason="Slutat på kommunen")

    colleague.refresh_from_db()
    assert not colleague.is_active
    # The shop owner is still party to it.
    with pytest.raises(ValidationError):
        user_erase(user=shop_owner, by=administrator, reason="Slutat")
