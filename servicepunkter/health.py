"""Health checks for a load balancer or an orchestrator (README: Production).

`/healthz`: the process answers (no database, nothing else). `/readyz`: it can serve
requests: the database answers, every migration is applied, and the file storage
(the local disk or the object storage's bucket) takes a write. 503 otherwise, with
the checks that failed; no detail of the error.

Both are answered by `HealthCheckMiddleware`, before anything asks for the request's
host: a load balancer asks a server by its own address (`Host: 10.0.0.11:8000`),
which ALLOWED_HOSTS does not hold. The readiness result is kept per process for
READINESS_CACHE_SECONDS, so that a flood of /readyz costs one check in that time.
"""

import logging
import threading
import time
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _migrations_applied() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return not executor.migration_plan(targets)


def _storage_writable() -> bool:
    name = default_storage.save(
        f"readiness/{uuid.uuid4().hex}.txt", ContentFile(b"ready")
    )
    default_storage.delete(name)
    return True


CHECKS = {
    "database": _database_answers,
    "migrations": _migrations_applied,
    "storage": _storage_writable,
}


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """The process answers."""
    return JsonResponse({"status": "ok"})


_last_readiness = None  # (time.monotonic() when checked, results)
_readiness_lock = threading.Lock()


def readiness_forget():
    """The next /readyz checks afresh (tests)."""
    global _last_readiness
    _last_readiness = None


def _readiness():
    """The checks' results, at most READINESS_CACHE_SECONDS old."""
    global _last_readiness
    with _readiness_lock:
        now = time.monotonic()
        last = _last_readiness
        if last is not None and now - last[0] < settings.READINESS_CACHE_SECONDS:
            return last[1]
        results = _check()
        _last_readiness = (time.monotonic(), results)
        return results


def _check():
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "unknown"
            continue
        try:
            results[name] = "ok" if check() else "failed"
        except Exception as error:
            # Whatever the backend raises means not ready: OSError on disk,
            # botocore's own errors from object storage, DatabaseError.
            logger.warning("Readiness check %s failed: %s", name, error)
            results[name] = "failed"
    return results


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """Ready to serve: 200 when every check passes, else 503 naming the failed."""
    results = _readiness()
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )


class HealthCheckMiddleware:
    """Answers GET and HEAD of /healthz and /readyz without the middleware below it
    (CommonMiddleware asks for the host, which a load balancer gives as the server's
    address): placed after the middleware that set the request id and the security
    and framing headers, before CommonMiddleware."""

    VIEWS = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.VIEWS.get(request.path_info)
        if view is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        return view(request)
