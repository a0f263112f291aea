"""Records that cannot change: the database refuses to alter or remove signed
versions, signatures, approved and paid payouts and the history, whoever asks."""

import secrets
from datetime import date

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Payout, PayoutRecovery, Signature
from agreements.services import (
    agreement_amend,
    agreement_change_owner,
    agreement_mark_ready,
    payout_approve,
    payout_mark_paid,
    payout_withhold,
)
from agreements.tests.concurrency import (  # noqa: F401 - a fixture
    municipalities_back_after_the_flush,
)
from agreements.tests.factories import AgreementFactory, AgreementVersionFactory
from agreements.tests.test_renewal import new_party  # noqa: F401 - a fixture
from agreements.tests.test_services import sign_both

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(official, shop_owner, draft):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    draft.refresh_from_db()
    return draft


def refused(sql, params=()):
    """Run `sql`; return the database's message refusing it."""
    with (
        pytest.raises(IntegrityError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return str(error.value).splitlines()[0]


def test_the_database_refuses_to_change_or_delete_a_signed_version(signed):
    version = signed.first_version()
    assert version.signed_at and version.signed_document_sha256

    for sql in (
        "UPDATE agreements_agreementversion SET signed_document_sha256 = %s "
        "WHERE id = %s",
        "UPDATE agreements_agreementversion SET document_sha256 = %s WHERE id = %s",
    ):
        assert refused(sql, ["0" * 64, version.pk]) == (
            "A signed agreement version cannot be changed or deleted."
        )
    assert refused(
        "DELETE FROM agreements_agreementversion WHERE id = %s", [version.pk]
    ) == ("A signed agreement version cannot be changed or deleted.")
    version.refresh_from_db()
    assert version.signed_document_sha256 != "0" * 64


def test_a_version_ready_for_signature_can_be_signed_but_not_changed(official, draft):
    agreement_mark_ready(agreement=draft, by=official)
    version = draft.first_version()

    assert refused(
        "UPDATE agreements_agreementversion SET annual_compensation = 1 WHERE id = %s",
        [version.pk],
    ) == (
        "An agreement version ready for signature cannot be changed, only signed or "
        "withdrawn."
    )
    assert refused(
        "UPDATE agreements_agreementversion SET document_sha256 = %s WHERE id = %s",
        ["0" * 64, version.pk],
    ) == (
        "An agreement version ready for signature cannot be changed, only signed or "
        "withdrawn."
    )
    assert refused(
        "DELETE FROM agreements_agreementversion WHERE id = %s", [version.pk]
    ) == ("An agreement version ready for signature cannot be deleted.")


def test_a_signed_versions_services_cannot_change_but_a_drafts_can(
    official, signed, catalogue
):
    from agreements.models import AgreementService

    line = AgreementService.objects.filter(version__agreement=signed).first()
    message = (
        "The services of an agreement version ready for signature or signed cannot "
        "be changed or deleted."
    )
    assert refused(
        "UPDATE agreements_agreementservice SET annual_fee = 1 WHERE id = %s",
        [line.pk],
    ) == (message)
    assert refused(
        "DELETE FROM agreements_agreementservice WHERE id = %s", [line.pk]
    ) == (message)
    assert refused(
        "INSERT INTO agreements_agreementservice"
        " (version_id, service_id, annual_fee, commitments) VALUES (%s, %s, 1, '')",
        [line.version_id, catalogue[-1].pk],
    ) == (
        "A service cannot be added to an agreement version ready for signature or "
        "signed."
    )

    amendment = agreement_amend(
        agreement=signed, by=official, effective_on=date(2027, 1, 1), reason="Nytt"
    )
    amendment.services.update(annual_fee=12_000)
    assert {line.annual_fee for line in amendment.services.all()} == {12_000}


def test_the_database_refuses_to_change_or_delete_a_signature(signed):
    signature = Signature.objects.filter(version__agreement=signed).first()

    assert refused(
        "UPDATE agreements_signature SET signed_by_name = 'Någon annan' WHERE id = %s",
        [signature.pk],
    ) == ("A signature cannot be changed or deleted.")
    assert refused(
        "DELETE FROM agreements_signature WHERE id = %s", [signature.pk]
    ) == ("A signature cannot be changed or deleted.")


@pytest.fixture
def paid(signed, official, colleague):
    payout = signed.payouts.get(agreement_year=1)
    Payout.objects.filter(pk=payout.pk).update(followup_complete=True)
    payout.refresh_from_db()
    payout_approve(payout=payout, by=colleague)
    return payout_mark_paid(payout=payout, by=official)


def test_the_database_refuses_to_change_or_delete_a_paid_payout(paid):
    before = model_to_dict(paid)

    for sql in (
        "UPDATE agreements_payout SET amount = 1 WHERE id = %s",
        "UPDATE agreements_payout SET status = 'planned' WHERE id = %s",
        "UPDATE agreements_payout SET status = 'cancelled', cancelled_reason = 'x' "
        "WHERE id = %s",
    ):
        assert refused(sql, [paid.pk]) == "A paid payout cannot be changed."
    assert refused("DELETE FROM agreements_payout WHERE id = %s", [paid.pk]) == (
        "A payout is never deleted: cancel it instead."
    )
    paid.refresh_from_db()
    assert model_to_dict(paid) == before


TRANSITION_REFUSED = (
    "A payout goes from planned to approved, withheld or cancelled, from approved "
    "to paid, withheld or cancelled, and from withheld to planned (released) or "
    "cancelled: this change of status is refused."
)


def test_a_payout_moves_only_along_its_transitions(signed, official, colleague):
    planned, later = signed.payouts.filter(agreement_year__in=[1, 2])[:2]
    assert refused(
        "UPDATE agreements_payout SET status = 'paid' WHERE id = %s", [planned.pk]
    ) == (TRANSITION_REFUSED)
    Payout.objects.filter(pk=planned.pk).update(followup_complete=True)
    planned.refresh_from_db()
    payout_approve(payout=planned, by=colleague)
    assert refused(
        "UPDATE agreements_payout SET amount = amount + 1 WHERE id = %s",
        [planned.pk],
    ) == ("An approved payout's amount, period and due date cannot change.")
    assert refused(
        "UPDATE agreements_payout SET status = 'planned' WHERE id = %s", [planned.pk]
    ) == (TRANSITION_REFUSED)
    assert refused("DELETE FROM agreements_payout WHERE id = %s", [planned.pk]) == (
        "A payout is never deleted: cancel it instead."
    )

    payout_withhold(payout=later, by=official, reason="Butiken höll stängt.")
    # A withheld payout is released (planned) or cancelled, never approved or
    # paid as it stands.
    for status in ("approved", "paid"):
        assert refused(
            "UPDATE agreements_payout SET status = %s WHERE id = %s",
            [status, later.pk],
        ) == (TRANSITION_REFUSED)


def test_planned_and_approved_payouts_may_be_cancelled_and_then_never_change(
    signed, colleague
):
    planned, approved = signed.payouts.filter(agreement_year__in=[1, 2])[:2]
    Payout.objects.filter(pk=approved.pk).update(followup_complete=True)
    approved.refresh_from_db()
    payout_approve(payout=approved, by=colleague)

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agreements_payout SET status = 'cancelled', "
            "cancelled_reason = 'Butiken stängde.' WHERE id IN (%s, %s)",
            [planned.pk, approved.pk],
        )

    for payout in (planned, approved):
        for sql in (
            "UPDATE agreements_payout SET status = 'planned' WHERE id = %s",
            "UPDATE agreements_payout SET cancelled_reason = 'Annat' WHERE id = %s",
        ):
            assert refused(sql, [payout.pk]) == "A cancelled payout cannot be changed."
        assert refused("DELETE FROM agreements_payout WHERE id = %s", [payout.pk]) == (
            "A payout is never deleted: cancel it instead."
        )
    assert refused(
        "UPDATE agreements_payout SET status = 'cancelled' WHERE id = %s",
        [signed.payouts.filter(status="planned").first().pk],
    ).startswith("new row for relation")


def test_no_payout_is_deleted_not_even_a_planned_one(signed):
    payout = signed.payouts.filter(status=Payout.Status.PLANNED).last()

    assert refused("DELETE FROM agreements_payout WHERE id = %s", [payout.pk]) == (
        "A payout is never deleted: cancel it instead."
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        signed.payouts.filter(status=Payout.Status.PLANNED).delete()
    assert signed.payouts.filter(pk=payout.pk).exists()


def test_the_history_cannot_be_rewritten_or_deleted(paid):
    from agreements.models import PayoutEvent

    event = PayoutEvent.objects.filter(pgh_obj_id=paid.pk).last()
    assert event.status == Payout.Status.PAID
    assert refused(
        "UPDATE agreements_payoutevent SET status = 'planned' WHERE pgh_id = %s",
        [event.pk],
    ) == ("A history entry cannot be changed or deleted.")
    assert refused(
        "DELETE FROM agreements_payoutevent WHERE pgh_id = %s", [event.pk]
    ) == ("A history entry cannot be changed or deleted.")
    assert refused(
        "UPDATE agreements_agreementversionevent SET document_sha256 = ''"
    ) == ("A history entry cannot be changed or deleted.")


def test_pgtriggers_ignore_setting_does_not_switch_the_protection_off(paid):
    """pgtrigger's own triggers skip themselves for a session that names them in
    `pgtrigger.ignore`, which any role may set; ours do not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(tgname::text) FROM pg_trigger "
            "WHERE tgrelid = 'agreements_payout'::regclass AND NOT tgisinternal"
        )
        names = cursor.fetchone()[0]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SET LOCAL pgtrigger.ignore = %s", ["{" + ",".join(names) + "}"]
            )
        assert refused(
            "UPDATE agreements_payout SET amount = 1 WHERE id = %s", [paid.pk]
        ) == ("A paid payout cannot be changed.")


def test_an_early_end_after_an_advance_payment_claims_back_the_days_after_it(
    client,
    official,
    colleague,
    shop_owner,
    draft,
    new_party,  # noqa: F811 - the fixture
):
    from agreements.tests.conftest import TERMS

    version = draft.first_version()
    version.payout_timing = "advance"
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    payout = draft.payouts.get(agreement_year=1)
    assert (payout.period_start, payout.period_end, payout.amount) == (
        TERMS["starts_on"],
        date(2026, 12, 31),
        40_000,
    )
    payout_approve(payout=payout, by=colleague)
    payout_mark_paid(payout=payout, by=official)
    payout.refresh_from_db()
    paid_before = model_to_dict(payout)

    agreement_change_owner(
        agreement=draft, by=official, handover_on=date(2026, 7, 1), party=new_party
    )

    payout.refresh_from_db()
    assert model_to_dict(payout) == paid_before
    recovery = PayoutRecovery.objects.get(payout=payout)
    # The party keeps 181 of the year's 365 days, rounded down: 19 835 kr.
    assert (recovery.period_start, recovery.period_end) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
    )
    assert (recovery.amount, recovery.vat_amount) == (20_165, 5_041)
    assert "Nya Byaboden" in recovery.reason

    client.force_login(official)
    page = client.get(draft.get_absolute_url()).content.decode()
    recoveries = page[page.index('id="recoveries-heading"') :]
    assert "2026-07-01 – 2026-12-31" in recoveries
    assert "20\xa0165 kr" in recoveries and "25\xa0206 kr" in recoveries

    export = client.get(reverse("agreements:payout_export")).content.decode()
    assert (
        f"{draft.reference};Pers Livs AB;556036-0793;;5050-1055;;-20165;-5041;-25206;"
        "2026-07-01;2026-12-31;"
    ) in export
    # The last line is the recovery: the file has no sums line.
    assert export.splitlines()[-1].endswith(";Återkrav")
    assert refused(
        "UPDATE agreements_payoutrecovery SET amount = 1 WHERE id = %s",
        [recovery.pk],
    ) == ("A recovery cannot be changed or deleted.")


@pytest.fixture
def runtime_role(transactional_db, municipalities_back_after_the_flush):  # noqa: F811
    """A role as production's runtime role is made (README: Database roles): rows
    to read and write, nothing owned. Connected to the test database; dropped after."""
    name = f"sp_app_test_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN PASSWORD %s", [password])
        cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {name}')
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            f"TO {name}"
        )
        cursor.execute(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}"
        )
    settings = connection.settings_dict
    runtime = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=database,
        user=name,
        password=password,
        autocommit=True,
    )
    try:
        yield runtime
    finally:
        runtime.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def refused_to(runtime, sql, params=()):
    with pytest.raises(psycopg.Error) as error:
        runtime.execute(sql, params)
    return error.value.diag.message_primary


@pytest.mark.smoke
def test_the_runtime_role_can_neither_change_a_signed_record_nor_disable_its_trigger(
    runtime_role,
):
    version = AgreementVersionFactory(
        agreement=AgreementFactory(
            state=Agreement.State.SIGNED,
            signed_on=date(2025, 12, 1),
            starts_on=date(2026, 1, 1),
        ),
        signed_document_sha256="a" * 64,
        signed_at=timezone.now(),
    )
    update = (
        "UPDATE agreements_agreementversion SET signed_document_sha256 = %s "
        "WHERE id = %s"
    )
    assert (
        runtime_role.execute("SELECT current_user")
        .fetchone()[0]
        .startswith("sp_app_test_")
    )
    # It reads and writes rows, as the app does.
    assert runtime_role.execute(
        "SELECT count(*) FROM agreements_agreementversion WHERE id = %s", [version.pk]
    ).fetchone() == (1,)

    assert refused_to(runtime_role, update, ["0" * 64, version.pk]) == (
        "A signed agreement version cannot be changed or deleted."
    )
    for table in ("agreements_agreementversion", "agreements_payoutevent"):
        assert refused_to(runtime_role, f"ALTER TABLE {table} DISABLE TRIGGER ALL") == (
            f"must be owner of table {table}"
        )
    [trigger] = runtime_role.execute(
        "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_signed_unchanged%'"
    ).fetchone()
    assert refused_to(
        runtime_role, f"DROP TRIGGER {trigger} ON agreements_agreementversion"
    ) == ("must be owner of relation agreements_agreementversion")
    # pgtrigger's session switch, which any role may set, does not apply.
    runtime_role.execute(
        "SELECT set_config('pgtrigger.ignore', %s, false)", ["{" + trigger + "}"]
    )
    assert refused_to(runtime_role, update, ["0" * 64, version.pk]) == (
        "A signed agreement version cannot be changed or deleted."
    )
    assert refused_to(
        runtime_role,
        "UPDATE agreements_agreementversionevent SET signed_document_sha256 = ''",
    ) == ("A history entry cannot be changed or deleted.")
    version.refresh_from_db()
    assert version.signed_document_sha256 == "a" * 64
