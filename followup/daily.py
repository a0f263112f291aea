"""The daily work (`run_daily`), done once a day: by the periodic background job
`followup.run_daily`, by the cron command, or by both (README: Daily run)."""

import logging
import os
import socket
import traceback
from contextlib import contextmanager
from datetime import date
from io import StringIO

from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.services import agreement_documents_check_share, payouts_plan_ahead
from followup.models import DailyRun
from followup.services import followups_create_due

logger = logging.getLogger(__name__)

# The PostgreSQL advisory lock ("SPda", the day's ordinal) that a run holds while it
# works: a row of the day left running by a process that no longer holds it is known
# to be a run that died.
RUN_DAILY_LOCK = 0x53_50_64_61


@contextmanager
def day_lock(day: date):
    """Hold the day's session-level advisory lock while the block runs; yields
    False, at once, when another session holds it."""
    key = [RUN_DAILY_LOCK, day.toordinal()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _process() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"[:200]


def daily_run_claim(
    *, day: date, trigger: str, job_id: int | None = None, force: bool = False
) -> DailyRun | None:
    """Claim the day for this run, or None when the day is done (or, without the
    day's lock, under way). The unique day decides between concurrent claims: one
    INSERT wins; on conflict the row is taken over only when its run failed (or,
    with `force`, was done). Call it holding `day_lock(day)`."""
    table = DailyRun._meta.db_table
    now = timezone.now()
    # Holding the lock, a row still running belongs to a run that died (its
    # session, and so its lock, is gone): it failed.
    DailyRun.objects.filter(day=day, status=DailyRun.Status.RUNNING).update(
        status=DailyRun.Status.FAILED, finished_at=now
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (day, status, trigger, process, job_id, attempts, started_at,
                 finished_at, output)
            VALUES (%(day)s, %(running)s, %(trigger)s, %(process)s, %(job_id)s, 1,
                    %(now)s, NULL, '')
            ON CONFLICT (day) DO UPDATE SET
                status = EXCLUDED.status, trigger = EXCLUDED.trigger,
                process = EXCLUDED.process, job_id = EXCLUDED.job_id,
                attempts = {table}.attempts + 1, started_at = EXCLUDED.started_at,
                finished_at = NULL, output = ''
            WHERE {table}.status = %(failed)s
                OR (%(force)s AND {table}.status = %(done)s)
            RETURNING id
            """,  # noqa: S608 - our table
            {
                "day": day,
                "running": DailyRun.Status.RUNNING,
                "failed": DailyRun.Status.FAILED,
                "done": DailyRun.Status.DONE,
                "trigger": trigger,
                "process": _process(),
                "job_id": job_id,
                "now": now,
                "force": force,
            },
        )
        row = cursor.fetchone()
    return DailyRun.objects.get(pk=row[0]) if row else None


def daily_run(
    *,
    day: date,
    trigger: str,
    job_id: int | None = None,
    force: bool = False,
    stdout=None,
    stderr=None,
) -> DailyRun | None:
    """Do the day's work once: the follow-ups that have come due, the payouts of
    the agreements' new periods, the day's share of the stored-document check, the
    reminders and the retention periods. Returns the day's run, or None when it
    skipped (the day done, or another run of it under way). A run that raises is
    recorded as failed, and the next attempt takes the day over.

    Its output goes to `stdout` in the project's language (the log stays in
    English) and into the day's row."""
    stdout = stdout if stdout is not None else StringIO()
    with translation.override(settings.LANGUAGE_CODE), day_lock(day) as acquired:
        if not acquired:
            logger.warning("run_daily skipped: another run is under way.")
            stdout.write(_("Skipped: another run_daily is under way.") + "\n")
            return None
        run = daily_run_claim(day=day, trigger=trigger, job_id=job_id, force=force)
        if run is None:
            logger.info("run_daily skipped: the work of %s is done.", day)
            stdout.write(
                _("Skipped: the daily work of %(day)s is already done.")
                % {"day": day.isoformat()}
                + "\n"
            )
            return None
        output = StringIO()
        status, failure = DailyRun.Status.FAILED, ""
        try:
            _work(day=day, stdout=output, stderr=stderr)
            status = DailyRun.Status.DONE
        except BaseException:
            failure = traceback.format_exc()
            logger.exception("run_daily of %s failed", day)
            raise
        finally:
            DailyRun.objects.filter(pk=run.pk).update(
                status=status,
                finished_at=timezone.now(),
                output=output.getvalue() + failure,
            )
            stdout.write(output.getvalue())
        run.refresh_from_db()
        return run


def _work(*, day: date, stdout, stderr) -> None:
    created = followups_create_due(today=day)
    payouts_plan_ahead(today=day)
    stdout.write(_("Follow-ups created: %(count)s") % {"count": created} + "\n")
    # Every stored document once a month; a mismatch is mailed to the system
    # owners as a refused download is.
    failed = agreement_documents_check_share(today=day)
    stdout.write(
        _("Stored documents failing their check: %(count)s") % {"count": failed} + "\n"
    )
    # The reminders and the retention, by command name: followup must not import
    # the later reminders app, nor privacy, which reads every app.
    for command in ("send_reminders", "apply_retention"):
        if command in get_commands():
            call_command(command, today=day, stdout=stdout, stderr=stderr)
