"""Test helpers for background jobs: a real procrastinate worker on the test
database, run until the queue is empty, and the stalled-job retry a live worker runs
every five minutes."""

import asyncio
import threading
from types import SimpleNamespace

from django.db import connection
from procrastinate.contrib.django import app as procrastinate_app

from core.tasks import retry_stalled_jobs


def worker_app():
    """The app with the connector a worker uses, on the test database."""
    return procrastinate_app.replace_connector(
        procrastinate_app.connector.get_worker_connector()
    )


def in_a_thread(function):
    """Run in a thread of its own, with its own event loop: a browser test leaves
    Playwright's loop in this one."""
    failures = []

    def run():
        try:
            function()
        except BaseException as error:  # noqa: BLE001 - raised in the test's thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the worker did not stop"
    if failures:
        raise failures[0]


def run_worker(queues=None):
    """A procrastinate worker on the test database until the queue is empty (every
    queue, or the ones named). Needs a test with `django_db(transaction=True)`: the
    worker's connection sees only committed jobs."""

    def work():
        with worker_app() as app:
            app.run_worker(
                queues=queues,
                wait=False,
                install_signal_handlers=False,
                listen_notify=False,
            )

    in_a_thread(work)


def retry_stalled():
    """Run the stalled-job retry once, as a live worker's periodic job does."""

    async def retry():
        with worker_app() as app:
            async with app.open_async():
                await retry_stalled_jobs.func(SimpleNamespace(app=app), timestamp=0)

    in_a_thread(lambda: asyncio.run(retry()))


def email_queue_on(settings, delivery="django.core.mail.backends.locmem.EmailBackend"):
    """E-mail as background jobs, as with EMAIL_QUEUE on in production, delivered
    through `delivery` (the tests' outbox by default) by a worker."""
    settings.EMAIL_QUEUE = True
    settings.EMAIL_BACKEND = "core.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = delivery
