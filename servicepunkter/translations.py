"""Translation catalogue helpers that need no GNU gettext (Babel reads and writes .po).

`python -m servicepunkter.translations fill-english` gives every entry of the English
catalogue its English message id as its text, since message ids are written in English.

`python -m servicepunkter.translations fill-swedish OTHER.po ...` fills the Swedish
catalogue's empty and fuzzy entries from other catalogues, matched by context and id,
and lists what is still missing; `make messages` runs it without catalogues. After a
merge, rebuild the catalogue with `make messages`, then fill it from the other branch's
(`git show BRANCH:locale/sv/LC_MESSAGES/django.po > other.po`).
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


def write_catalog(language: str, catalog) -> None:
    for message in catalog:
        # msgmerge's "#| previous" comments help a translator once; keep diffs small.
        message.previous_id = []
    with catalog_path(language).open("wb") as file:
        write_po(file, catalog, width=88)


def _key(message):
    return (message.context, message.id)


def fill_swedish(sources: list[Path]) -> list[str]:
    """Fill the Swedish catalogue's empty or fuzzy entries from `sources`; return the
    message ids still incomplete."""
    known = {}
    for source in sources:
        with source.open("rb") as file:
            for message in read_po(file, locale="sv"):
                strings = message.string if message.pluralizable else [message.string]
                if message.id and not message.fuzzy and all(strings):
                    known.setdefault(_key(message), message.string)
    catalog = read_catalog("sv")
    for message in catalog:
        strings = message.string if message.pluralizable else [message.string]
        incomplete = message.fuzzy or not all(strings)
        if message.id and incomplete and _key(message) in known:
            message.string = known[_key(message)]
            message.flags.discard("fuzzy")
    write_catalog("sv", catalog)
    return incomplete_entries("sv")


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
        message.flags.discard("fuzzy")
    write_catalog("en", catalog)


USAGE = (
    "usage: python -m servicepunkter.translations"
    " fill-english | fill-swedish [OTHER.po ...]"
)

if __name__ == "__main__":
    command, *arguments = sys.argv[1:] or [""]
    if command == "fill-english" and not arguments:
        fill_english()
    elif command == "fill-swedish":
        for message_id in fill_swedish([Path(argument) for argument in arguments]):
            print(f"Swedish translation missing: {message_id}")
    else:
        sys.exit(USAGE)
