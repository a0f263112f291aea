"""The shared cache's table (README: Production, Shared cache): Django's database
cache, as `createcachetable` makes it, under the name CACHE_URL's default names. Made
here so that `migrate` (as the owner role) creates it and the runtime role gets its
rows by the same default privileges as every other table."""

from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS "servicepunkter_cache" (
    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
    "value" text NOT NULL,
    "expires" timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS "servicepunkter_cache_expires"
    ON "servicepunkter_cache" ("expires");
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        migrations.RunSQL(CREATE, 'DROP TABLE IF EXISTS "servicepunkter_cache";')
    ]
