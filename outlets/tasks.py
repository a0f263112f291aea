"""The outlet import's background jobs, on the `imports` queue (procrastinate;
README: Background work)."""

from django import db
from procrastinate.contrib.django import app

from outlets.import_runs import (
    CHECK_TASK,
    QUEUE,
    STORE_TASK,
    outlet_import_check,
    outlet_import_runs_expire,
    outlet_import_store_run,
)


@app.task(name=CHECK_TASK, queue=QUEUE)
def outlet_import_check_job(*, run_id: int):
    """Read and plan an uploaded outlet file, keeping its preview."""
    try:
        outlet_import_check(run_id=run_id)
    finally:
        # The worker runs each job in a thread of its own; its connection would
        # otherwise stay open with the thread.
        db.connection.close()


@app.task(name=STORE_TASK, queue=QUEUE)
def outlet_import_store_job(*, run_id: int):
    """Store a confirmed outlet import, all or nothing."""
    try:
        outlet_import_store_run(run_id=run_id)
    finally:
        db.connection.close()


@app.periodic(cron="23 * * * *", periodic_id="outlet_import_runs_expire")
@app.task(name="outlets.outlet_import_runs_expire", queue=QUEUE)
def expire_import_previews(timestamp: int):
    """Remove the files of previews nobody confirmed within a day."""
    try:
        outlet_import_runs_expire()
    finally:
        db.connection.close()
