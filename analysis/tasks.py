"""The analysis app's background jobs (procrastinate; README: Background work)."""

from django import db
from procrastinate.contrib.django import app

from analysis.services.jobs import JOB_TASK_NAME, analysis_job_process
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


@app.task(name=JOB_TASK_NAME, queue="analysis")
def analysis_job_run(*, job_id: int):
    """Compute and store an analysis a page asked for (services/jobs.py)."""
    try:
        analysis_job_process(job_id=job_id)
    finally:
        db.connection.close()


@app.periodic(cron="17 * * * *", periodic_id="data_loads_expire")
@app.task(name="analysis.data_loads_expire", queue="analysis")
def expire_previews(timestamp: int):
    """Remove the files of previews nobody confirmed within a day."""
    try:
        data_loads_expire()
    finally:
        db.connection.close()
