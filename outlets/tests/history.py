"""Reading a page's history of changes as a user reads it."""

import re
from datetime import timedelta
from html import unescape

from django.apps import apps
from django.db import connection
from django.db.models import F
from django.utils import timezone
from pghistory.models import Event

ROW = re.compile(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", re.S)


def history_rows(response) -> list[tuple[str, str, str]]:
    """(when, who, what) of each line of the page's history, newest first."""
    page = response.content.decode()
    section = page[page.index('id="history-heading"') :]
    section = section[: section.index("</section>")]
    return [
        tuple(" ".join(unescape(cell).split()) for cell in row)
        for row in ROW.findall(section)
    ]


def when(event) -> str:
    """An event's time as the history shows it (Swedish local time)."""
    return timezone.localtime(event.pgh_created_at).strftime("%Y-%m-%d %H:%M")


def recorded_an_hour_ago():
    """Move the changes recorded so far (a test's setting up) an hour back: a test
    runs in one transaction, whose changes the database all records at its start.
    Triggers stay quiet meanwhile, should the history be protected from change."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for model in apps.get_models():
            if issubclass(model, Event):
                model.objects.update(
                    pgh_created_at=F("pgh_created_at") - timedelta(hours=1)
                )
        cursor.execute("SET LOCAL session_replication_role = origin")
