"""The database cache's counters: atomic across connections, keeping their window."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from core.cache import DatabaseCache

TABLE = "servicepunkter_cache"
DATABASE_CACHE = {"default": {"BACKEND": "core.cache.DatabaseCache", "LOCATION": TABLE}}


def database_cache():
    """A cache object of its own, as each server process has."""
    return DatabaseCache(TABLE, {})


def expiry(key):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {TABLE} WHERE cache_key = %s",
            [database_cache().make_key(key)],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_migration_made_the_table_createcachetable_would_make(capsys):
    with override_settings(CACHES=DATABASE_CACHE):
        call_command("createcachetable", dry_run=True)
    assert capsys.readouterr().out == f"Cache table '{TABLE}' already exists.\n"


@pytest.mark.django_db
def test_a_count_made_through_one_cache_object_is_seen_through_another():
    counting, reading = database_cache(), database_cache()
    counting.add("throttle:reset", 0, timeout=3600)
    counting.incr("throttle:reset")
    counting.incr("throttle:reset")

    assert reading.get("throttle:reset") == 2
    assert reading.incr("throttle:reset") == 3
    assert counting.decr("throttle:reset") == 2


@pytest.mark.django_db
def test_counting_keeps_the_window_the_first_count_set():
    cache = database_cache()
    cache.add("throttle:window", 0, timeout=3600)
    before = expiry("throttle:window")

    cache.incr("throttle:window")

    # Django's own incr would set the default five minutes again.
    assert expiry("throttle:window") == before
    assert before > timezone.now() + timedelta(seconds=3500)


@pytest.mark.django_db
def test_an_expired_or_missing_count_cannot_be_counted_on():
    cache = database_cache()
    cache.set("throttle:gone", 5, timeout=-1)
    with pytest.raises(ValueError):
        cache.incr("throttle:gone")
    with pytest.raises(ValueError):
        cache.incr("throttle:never")


@pytest.mark.django_db(transaction=True)
def test_counts_from_many_connections_at_once_are_all_kept():
    database_cache().add("throttle:burst", 0, timeout=3600)
    threads, per_thread = 8, 25

    def count():
        cache = database_cache()
        try:
            for _ in range(per_thread):
                cache.incr("throttle:burst")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert database_cache().get("throttle:burst") == threads * per_thread
