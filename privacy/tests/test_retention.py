"""Retention applied by the daily job (issue 15)."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User, UserEvent
from accounts.tests.factories import UserFactory
from outlets import import_runs
from outlets.models import OutletContact, OutletContactEvent
from privacy.registry import RETENTION_PERIODS
from privacy.retention import (
    PENDING_IMPORT_DIR,
    months_before,
    retention_apply,
)
from securitylog.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 6, 3, 0))


def dated(table, pk_column, pk, column, moment):
    """Back-date a row (as if written then), past the triggers."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608
            [moment, pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_the_periods_are_data_in_the_registry():
    assert RETENTION_PERIODS["security_log"].months == 12
    assert RETENTION_PERIODS["pending_imports"].days == 1
    assert str(RETENTION_PERIODS["security_log"].what) == "Säkerhetsloggens poster"


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(datetime(2026, 12, 6), 12) == datetime(2025, 12, 6)
    assert months_before(datetime(2026, 3, 31), 1) == datetime(2026, 2, 28)


def test_security_log_entries_older_than_twelve_months_are_deleted(official):
    old = SecurityEvent.objects.create(
        kind=EventKind.SIGNED_IN, user=official, at=NOW - timedelta(days=366)
    )
    recent = SecurityEvent.objects.create(
        kind=EventKind.SIGNED_IN, user=official, at=NOW - timedelta(days=364)
    )
    assert retention_apply(now=NOW)["security_log"] == 1
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=recent.pk).exists()


def test_personal_fields_in_history_older_than_its_retention_are_blanked(own_outlet):
    contact = OutletContact.objects.create(
        outlet=own_outlet, name="Anna Ek", email="anna@ek.example", role="Ägare"
    )
    old = OutletContactEvent.objects.get(pgh_obj_id=contact.pk)
    dated(
        "outlets_outletcontactevent",
        "pgh_id",
        old.pk,
        "pgh_created_at",
        months_before(NOW, 25),
    )
    contact.phone = "070-1"
    contact.save()

    retention_apply(now=NOW)

    old.refresh_from_db()
    assert (old.name, old.email, old.phone, old.role) == ("", "", "", "Ägare")
    newer = OutletContactEvent.objects.filter(pgh_obj_id=contact.pk).latest("pgh_id")
    assert (newer.name, newer.phone) == ("Anna Ek", "070-1")
    contact.refresh_from_db()
    assert contact.name == "Anna Ek"


def deactivated(user, moment):
    user.is_active = False
    user.save()
    event = UserEvent.objects.filter(pgh_obj_id=user.pk).latest("pgh_id")
    dated("accounts_userevent", "pgh_id", event.pk, "pgh_created_at", moment)


def test_accounts_deactivated_longer_than_their_retention_are_anonymised(official):
    long_ago = UserFactory(email="long@kommun.example")
    lately = UserFactory(email="lately@kommun.example")
    deactivated(long_ago, months_before(NOW, 13))
    deactivated(lately, months_before(NOW, 11))

    assert retention_apply(now=NOW)["deactivated_accounts"] == 1

    long_ago.refresh_from_db()
    assert long_ago.email == f"raderad-{long_ago.pk}@invalid"
    assert not long_ago.has_usable_password()
    assert User.objects.get(pk=lately.pk).email == "lately@kommun.example"
    assert User.objects.get(pk=official.pk).is_active
    # Once anonymised, a later run leaves it be.
    assert retention_apply(now=NOW)["deactivated_accounts"] == 0


def test_a_deactivated_shop_owner_party_to_an_agreement_in_force_is_kept(
    shop_owner, signed
):
    deactivated(shop_owner, months_before(NOW, 13))
    assert retention_apply(now=NOW)["deactivated_accounts"] == 0
    assert User.objects.get(pk=shop_owner.pk).email == "owner@perslivs.example"


def test_abandoned_import_files_older_than_a_day_are_removed():
    assert PENDING_IMPORT_DIR == import_runs.PENDING_DIR
    old = default_storage.save(f"{PENDING_IMPORT_DIR}/old", ContentFile(b"x"))
    new = default_storage.save(f"{PENDING_IMPORT_DIR}/new", ContentFile(b"x"))
    now = timezone.now()
    two_days_ago = (now - timedelta(days=2)).timestamp()
    import os

    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))

    assert retention_apply(now=now)["pending_imports"] == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(new)


def test_the_daily_job_applies_retention(official):
    SecurityEvent.objects.create(
        kind=EventKind.SIGNED_IN, user=official, at=timezone.now() - timedelta(days=400)
    )
    out = StringIO()
    call_command("run_daily", stdout=out)
    assert "Gallrat ur säkerhetsloggen: 1" in out.getvalue()
    assert "Personuppgifter tömda i gammal historik: 0" in out.getvalue()
    assert "Retention applied" not in out.getvalue()
    assert not SecurityEvent.objects.filter(user=official).exists()


def test_every_period_of_the_registry_is_applied_and_nothing_else():
    assert set(retention_apply(now=NOW)) == set(RETENTION_PERIODS)


def failed_job(status, ended):
    """A background job that ended with `status` at `ended`, with a queued
    e-mail's arguments."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args)"
            " VALUES ('mail', 'core.mail_send', %s) RETURNING id",
            ['{"message": "SGVq", "recipients": ["anna@example.se"]}'],
        )
        [pk] = cursor.fetchone()
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = %s WHERE id = %s", [status, pk]
        )
    dated("procrastinate_events", "job_id", pk, "at", ended)
    return pk


def jobs_left():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM procrastinate_jobs")
        return {pk for (pk,) in cursor.fetchall()}


def events_left():
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT job_id FROM procrastinate_events")
        return {pk for (pk,) in cursor.fetchall()}


def test_failed_jobs_are_removed_with_their_events_after_thirty_days():
    assert RETENTION_PERIODS["failed_jobs"].days == 30
    # Jobs other tests left (queued, never run) are not this test's.
    jobs_before, events_before = jobs_left(), events_left()
    old = NOW - timedelta(days=31)
    removed = {failed_job(status, old) for status in ("failed", "cancelled", "aborted")}
    kept = {
        failed_job("failed", NOW - timedelta(days=29)),
        failed_job("todo", old),  # waiting for its retry
        failed_job("doing", old),
        failed_job("succeeded", old),
    }

    assert retention_apply(now=NOW)["failed_jobs"] == 3

    assert jobs_left() - jobs_before == kept
    assert events_left() - events_before <= kept
    assert not events_left() & removed
