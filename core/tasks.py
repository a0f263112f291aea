"""Background jobs every app's jobs rely on (procrastinate; README: Background work)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import croniter
from django.conf import settings
from procrastinate.contrib.django import app

# E-mail's job, registered with the worker (README: Background work).
from core.mail import mail_send  # noqa: F401


def periodic_tasks_in_time_zone(ready_app):
    """Read every periodic task's cron in TIME_ZONE (PROCRASTINATE_ON_APP_READY).

    procrastinate 3.10 reads crons in UTC, so "0 5 * * *" would run at 06:00 or
    07:00 in Stockholm (its issue #1472; a `tzinfo` argument is proposed). croniter
    started from a time in the zone steps in that zone, summer time included.
    `PeriodicTask.croniter` is a cached property: setting it before the deferrer
    first reads it is enough, and every worker computes the same timestamps, so
    their deferrals still meet in procrastinate_periodic_defers."""
    zone = ZoneInfo(settings.TIME_ZONE)
    for periodic_task in ready_app.periodic_registry.periodic_tasks.values():
        periodic_task.__dict__["croniter"] = croniter.croniter(
            periodic_task.cron, start_time=datetime.now(zone)
        )


# The cron from the settings, which Django has loaded before procrastinate's
# autodiscovery imports this module (as followup.tasks reads RUN_DAILY_CRON).
@app.periodic(cron=settings.STALLED_JOBS_RETRY_CRON, periodic_id="retry_stalled_jobs")
@app.task(
    name="core.retry_stalled_jobs",
    queueing_lock="retry_stalled_jobs",
    pass_context=True,
)
async def retry_stalled_jobs(context, timestamp):
    """Put back in the queue the jobs of workers whose heartbeat has stopped (a
    killed or crashed worker); the jobs start over."""
    stalled = await context.app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.WORKER_STALLED_SECONDS
    )
    for job in stalled:
        await context.app.job_manager.retry_job(job)
