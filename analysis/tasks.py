"""The analysis app's background jobs (procrastinate; README: Background work)."""

from django import db
from django.conf import settings
from procrastinate.contrib.django import app

from analysis.services.loads import TASK_NAME, data_load_process, data_loads_expire


@app.task(name=TASK_NAME, queue="analysis")
def data_load_run(*, load_id: int):
    """Store a confirmed population or road-network load and recompute."""
    try:
        data_load_process(load_id=load_id)
    finally:
        # The worker runs each job in a thread of its own; its connection would
        # otherwise stay open with the thread.
        db.connection.close()


@app.periodic(cron="*/5 * * * *", periodic_id="retry_stalled_jobs")
@app.task(
    name="analysis.retry_stalled_jobs",
    queue="analysis",
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


@app.periodic(cron="17 * * * *", periodic_id="data_loads_expire")
@app.task(name="analysis.data_loads_expire", queue="analysis")
def expire_previews(timestamp: int):
    """Remove the files of previews nobody confirmed within a day."""
    try:
        data_loads_expire()
    finally:
        db.connection.close()
