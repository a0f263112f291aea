"""Django's database cache, with counters that several processes can share."""

import base64
import pickle

from django.core.cache.backends import db
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCache(db.DatabaseCache):
    """Django's database cache (README: Production, Shared cache) whose `incr` is
    one locked read and write of the row that keeps the entry's expiry.

    Django's own `incr` reads the value and sets it again: two processes counting at
    once lose a count, and the set gives the entry the default timeout, so a
    throttle's hour-long window (accounts/throttles.py) would restart at every hit
    and end five minutes after the last one.
    """

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        database = router.db_for_write(self.cache_model_class)
        connection = connections[database]
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value, expires FROM {table} WHERE cache_key = %s FOR UPDATE",
                [key],
            )
            row = cursor.fetchone()
            if row is None or row[1] < timezone.now():
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta
            pickled = pickle.dumps(value, self.pickle_protocol)
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",
                [base64.b64encode(pickled).decode("latin1"), key],
            )
        return value
