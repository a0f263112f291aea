import os
import shutil
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from servicepunkter.translations import incomplete_entries, read_catalog

SOURCES = [
    "core",
    "securitylog",
    "accounts",
    "outlets",
    "agreements",
    "followup",
    "deliveries",
    "reminders",
    "programme",
    "reports",
    "analysis",
    "region",
    "statements",
    "public",
    "calendarfeed",
    "privacy",
    "surveys",
    "servicepunkter",
    "templates",
]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    assert not read_catalog(language).fuzzy
    assert incomplete_entries(language) == []


def test_catalogues_are_in_sync_with_the_source(tmp_path):
    """makemessages on a copy of the sources finds exactly the committed message ids."""
    if shutil.which("xgettext") is None:
        pytest.fail("This test needs GNU gettext (xgettext): run `make test`.")
    for name in [*SOURCES, "manage.py"]:
        source = settings.BASE_DIR / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("tests")
            )
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale" / "sv" / "LC_MESSAGES").mkdir(parents=True)
    env = {
        **os.environ,
        "DEBUG": "true",
        # makemessages needs no database; this keeps the copy from starting one.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "sv"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    with (tmp_path / "locale/sv/LC_MESSAGES/django.po").open("rb") as file:
        fresh = {message.id for message in read_po(file) if message.id}
    committed = {message.id for message in read_catalog("sv") if message.id}
    assert fresh - committed == set(), "Run `make messages` and translate."
    assert committed - fresh == set(), "Run `make messages` to drop obsolete entries."
