"""The reports app's background jobs (procrastinate; README: Background work)."""

from django import db
from procrastinate.contrib.django import app

from reports.services import TASK_NAME, annual_report_process


@app.task(name=TASK_NAME, queue="documents")
def annual_report_run(*, report_id: int):
    """Render and store a municipality's annual report of a year."""
    try:
        annual_report_process(report_id=report_id)
    finally:
        # The worker runs each job in a thread of its own; its connection would
        # otherwise stay open with the thread.
        db.connection.close()
