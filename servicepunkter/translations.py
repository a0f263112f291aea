"""Translation catalogue helpers that need no GNU gettext (Babel reads and writes .po).

`python -m servicepunkter.translations fill-english` gives every entry of the English
catalogue its English message id as its text, since message ids are written in English.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def read_catalog(language: str):
    with catalog_path(language).open("rb") as file:
        return read_po(file, locale=language)


def incomplete_entries(language: str) -> list[str]:
    """Message ids that are untranslated or fuzzy in the language's catalogue."""
    problems = []
    for message in read_catalog(language):
        if not message.id:
            continue
        strings = message.string if message.pluralizable else [message.string]
        if message.fuzzy or not all(strings):
            problems.append(
                message.id if isinstance(message.id, str) else message.id[0]
            )
    return problems


def fill_english() -> None:
    catalog = read_catalog("en")
    catalog.fuzzy = False
    catalog.project = "Servicepunkter"
    for message in catalog:
        if not message.id:
            continue
        # Message ids are English, so the English text is the id itself; this also
        # overwrites msgmerge's fuzzy guesses from similar messages.
        message.string = message.id
        message.previous_id = []
        message.flags.discard("fuzzy")
    with catalog_path("en").open("wb") as file:
        write_po(file, catalog, width=88)


if __name__ == "__main__":
    if sys.argv[1:] == ["fill-english"]:
        fill_english()
    else:
        sys.exit("usage: python -m servicepunkter.translations fill-english")
