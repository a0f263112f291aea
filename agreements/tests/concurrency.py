"""Running work at the same moment, as two users or two cron jobs would."""

import threading

import pytest
from django.db import connection

from outlets.models import County, Municipality
from outlets.municipalities import load_municipalities

# Long enough for the slowest thread to reach the start on a busy machine; a thread
# that never does breaks the barrier and fails the test instead of hanging it.
START_TIMEOUT_SECONDS = 60


def at_once(*calls):
    """Run each call in a thread of its own, all released together, and return their
    results in order; re-raise the first error a call raised.

    Each thread has its own database connection (Django's are per thread), opened
    before the start so that connecting does not stagger the calls, and closed at the
    thread's end. Use with `transactional_db`: the threads see committed rows only.
    """
    start = threading.Barrier(len(calls), timeout=START_TIMEOUT_SECONDS)
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            connection.ensure_connection()
            start.wait()
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call))
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture(scope="module", autouse=True)
def municipalities_back_after_the_flush(django_db_blocker):
    """A transactional test ends by emptying every table, the municipalities that the
    data migration loaded among them; load them again once the module's tests are
    done, so that later tests (and a later `--reuse-db` run) find them."""
    yield
    with django_db_blocker.unblock():
        load_municipalities(County, Municipality)
