from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = (
        "Before a server starts (make serve): every migration is applied and the "
        "shared cache answers, as the app's own role. Exits 1 naming what is "
        "missing; `make release` (README: Production) applies the migrations."
    )

    def handle(self, *args, **options):
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
            if len(plan) > 5:
                names += ", …"
            raise CommandError(
                f"{len(plan)} migration(s) not applied ({names}): run `make release` "
                "once for this release before starting the servers."
            )
        probe = "check_release:probe"
        try:
            cache.set(probe, "ok", 30)
            answered = cache.get(probe) == "ok"
            cache.delete(probe)
        except Exception as error:  # the backend's own error: a table, Redis
            raise CommandError(
                f"The cache does not answer ({type(error).__name__}: {error}); "
                "check CACHE_URL, and run `make release` for its table."
            ) from error
        if not answered:
            raise CommandError("The cache does not keep what is stored in it.")
        self.stdout.write("Release applied: migrations and cache ready.")
