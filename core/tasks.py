"""Background jobs every app's jobs rely on (procrastinate; README: Background work)."""

from django.conf import settings
from procrastinate.contrib.django import app


@app.periodic(cron="*/5 * * * *", periodic_id="retry_stalled_jobs")
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
