"""Health checks for a load balancer or an orchestrator (README: Production).

`/healthz`: the process answers (no database, nothing else). `/readyz`: it can serve
requests: the database answers, every migration is applied, and the file storage
(the local disk or the object storage's bucket) takes a write. 503 otherwise, with
the checks that failed; no detail of the error.
"""

import logging
import uuid

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


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """Ready to serve: 200 when every check passes, else 503 naming the failed."""
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
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
