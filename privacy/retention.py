"""Retention applied (Swedish: *gallring*): each kind of data is removed or
anonymised when the period the registry states for it (RETENTION_PERIODS) has
passed. The daily job runs `retention_apply` through the apply_retention command."""

import calendar
from datetime import datetime, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.storage import stored_files_remove_older
from privacy.checks import project_models
from privacy.erasure import (
    agreements_binding,
    event_models,
    history_scrub,
    user_anonymise,
)
from privacy.registry import RETENTION_PERIODS, erasable_fields
from securitylog.models import SecurityEvent

# Where the outlet import keeps an uploaded file for its background jobs
# (outlets.import_runs.PENDING_DIR; a test holds the two together). The import's
# hourly job removes the files of previews not confirmed within a day; this sweep
# removes any file left behind all the same (a run deleted, a job lost).
PENDING_IMPORT_DIR = "outlet-imports"


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier (the month's last day when
    the day does not exist then)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_cutoff(kind: str, *, now: datetime) -> datetime:
    """Data of the kind older than this is past its retention."""
    period = RETENTION_PERIODS[kind]
    return months_before(now, period.months) - timedelta(days=period.days)


@transaction.atomic
def security_log_prune(*, now: datetime) -> int:
    """Delete the security-log entries older than the log's retention (its trigger
    refuses updates only)."""
    cutoff = retention_cutoff("security_log", now=now)
    return SecurityEvent.objects.filter(at__lt=cutoff).delete()[0]


@transaction.atomic
def personal_history_scrub(*, now: datetime) -> int:
    """Blank the personal fields in history rows older than the history's
    retention; what a record is now stays on the record itself."""
    cutoff = retention_cutoff("personal_history", now=now)
    return sum(
        history_scrub(model=model, filters=Q(pgh_created_at__lt=cutoff))
        for model in project_models()
        if erasable_fields(model) and event_models(model)
    )


def deactivated_since(user) -> datetime:
    """When the user was last deactivated, from their history; the last sign-in or
    the day they joined for an account deactivated before the history began."""
    events = apps.get_model("accounts", "UserEvent").objects.filter(pgh_obj_id=user.pk)
    last_active = (
        events.filter(is_active=True).order_by("-pgh_id").values("pgh_id").first()
    )
    later = events.filter(is_active=False)
    if last_active:
        later = later.filter(pgh_id__gt=last_active["pgh_id"])
    deactivation = later.order_by("pgh_id").values("pgh_created_at").first()
    if deactivation:
        return deactivation["pgh_created_at"]
    return user.last_login or user.date_joined


def deactivated_accounts_anonymise(*, now: datetime) -> int:
    """Anonymise the accounts deactivated longer than their retention, unless the
    person is party to an agreement in force; one transaction per account."""
    cutoff = retention_cutoff("deactivated_accounts", now=now)
    anonymised = 0
    candidates = User.objects.filter(is_active=False).exclude(
        email__iendswith="@" + User.ERASED_EMAIL_DOMAIN
    )
    for user in candidates:
        if deactivated_since(user) >= cutoff or agreements_binding(user).exists():
            continue
        with transaction.atomic():
            user_anonymise(
                user=User.objects.select_for_update().get(pk=user.pk),
                by=None,
                reason="deactivated longer than the retention period",
            )
        anonymised += 1
    return anonymised


def pending_imports_remove(*, now: datetime) -> int:
    """Remove outlet files uploaded for an import never confirmed."""
    return stored_files_remove_older(
        folder=PENDING_IMPORT_DIR,
        before=retention_cutoff("pending_imports", now=now),
    )


# Jobs that ended without succeeding; they stay in procrastinate_jobs (with their
# arguments: a queued e-mail's message and recipients) to be read and retried by
# hand until their retention has passed.
FINISHED_UNSUCCESSFUL = ("failed", "cancelled", "aborted")


@transaction.atomic
def failed_jobs_remove(*, now: datetime) -> int:
    """Delete the failed, cancelled and aborted background jobs that ended before
    their retention (FAILED_JOBS_KEEP_DAYS); their events go with them."""
    cutoff = retention_cutoff("failed_jobs", now=now)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DELETE FROM procrastinate_jobs AS job
            WHERE job.status::text = ANY(%s)
              AND COALESCE(
                    (SELECT max(event.at) FROM procrastinate_events AS event
                     WHERE event.job_id = job.id),
                    job.scheduled_at
                  ) < %s
            """,
            [list(FINISHED_UNSUCCESSFUL), cutoff],
        )
        return cursor.rowcount


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Apply every retention period; how many of each kind were removed or
    anonymised."""
    now = now or timezone.now()
    return {
        "security_log": security_log_prune(now=now),
        "personal_history": personal_history_scrub(now=now),
        "deactivated_accounts": deactivated_accounts_anonymise(now=now),
        "pending_imports": pending_imports_remove(now=now),
        "failed_jobs": failed_jobs_remove(now=now),
    }
