"""The agreements app's background jobs (procrastinate; README: Background work)."""

from django import db
from procrastinate.contrib.django import app

from agreements.services.signed_documents import TASK_NAME, signed_document_process


@app.task(name=TASK_NAME, queue="documents")
def signed_document_run(*, version_id: int):
    """Render, seal and store a signed version's final document."""
    try:
        signed_document_process(version_id=version_id)
    finally:
        # The worker runs each job in a thread of its own; its connection would
        # otherwise stay open with the thread.
        db.connection.close()
