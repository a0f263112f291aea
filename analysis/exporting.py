"""The analysis tables, as the pages show them and as CSV.

One builder per table gives its caption, headers and rows; the page renders them and
the export writes the very same rows, so the two never disagree.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analysis.engine import AGE_GROUP_NAMES
from core.exporting import csv_bytes

AGE_LABELS = {
    "0-19": "0–19",
    "20-64": "20–64",
    "65-79": "65–79",
    "80+": "80+",
    "70+": "70+",
}


@dataclass
class Table:
    """A table: its key (for the export link), caption, headers and rows.

    The first cell of each row is its header cell; `urls` links it where given.
    """

    key: str
    caption: str
    headers: list
    rows: list
    urls: list = field(default_factory=list)
    # Rows that sum the others (shown last, in bold).
    footer: list | None = None

    def linked_rows(self):
        """(url of the row's header cell or None, header cell, other cells)."""
        urls = self.urls or [None] * len(self.rows)
        return [
            (url, row[0], row[1:]) for url, row in zip(urls, self.rows, strict=True)
        ]

    def all_rows(self):
        return self.rows + ([self.footer] if self.footer else [])


def band_label(band):
    if band["to_km"] is None:
        return _("%(from)s km or more") % {"from": _km(band["from_km"])}
    return _("%(from)s–%(to)s km") % {
        "from": _km(band["from_km"]),
        "to": _km(band["to_km"]),
    }


def _km(value):
    return number_format(value, decimal_pos=None if float(value) % 1 else 0)


def age_headers():
    return [_("Age %(ages)s") % {"ages": AGE_LABELS[name]} for name in AGE_GROUP_NAMES]


def _ages(by_age):
    return [by_age.get(name) for name in AGE_GROUP_NAMES]


def bands_table(result):
    """People by distance band and age group, for the whole municipality."""
    rows = [
        [band_label(band), band["population"], *_ages(band["by_age"])]
        for band in result["bands"]
    ]
    return Table(
        key="bands",
        caption=_("People by distance to the nearest outlet and age group"),
        headers=[_("Distance"), _("People"), *age_headers()],
        rows=rows,
        footer=[_("Total"), result["total_population"], *_ages(result["by_age"])],
    )


def localities_table(result):
    """People per locality (its nearest squares) by distance band and age group."""
    labels = [band_label(band) for band in result["bands"]]
    rows, urls = [], []
    for entry in result["localities"]:
        rows.append(
            [
                entry["name"],
                entry["population"],
                *entry["bands"],
                *_ages(entry["by_age"]),
            ]
        )
        urls.append(reverse("outlets:locality_detail", args=[entry["locality_id"]]))
    return Table(
        key="localities",
        caption=_("People per locality by distance band and age group"),
        headers=[_("Locality"), _("People"), *labels, *age_headers()],
        rows=rows,
        urls=urls,
    )


def outlets_table(result):
    """Per outlet: its dependent people, those stranded if it closed, the 70+ need."""
    rows, urls = [], []
    for entry in result["outlets"]:
        rows.append(
            [
                entry["name"],
                # An identifier, not a figure: never grouped in thousands.
                str(entry["id"]) if entry["id"] > 0 else _("new"),
                entry["municipality_code"],
                entry["dependent_population"],
                entry["beyond_10_km_if_closed"],
                entry["transport_need_70_plus_km"],
                *_ages(entry["dependent_by_age"]),
            ]
        )
        urls.append(
            reverse("outlets:outlet_detail", args=[entry["id"]])
            if entry["id"] > 0
            else None
        )
    return Table(
        key="outlets",
        caption=_("Dependent people per outlet (the outlet is their nearest)"),
        headers=[
            _("Outlet"),
            _("Id"),
            _("Municipality code"),
            # What an official comes for first; the age breakdown after it.
            _("Dependent people"),
            _("More than 10 km from the next if it closed"),
            _("Transport need 70+ (km)"),
            *age_headers(),
        ],
        rows=rows,
        urls=urls,
    )


def strategic_table(result):
    """Candidate strategic localities: one outlet is the only one within 10 km."""
    rows, urls = [], []
    for entry in result["strategic_candidates"]:
        rows.append(
            [
                entry["locality"],
                entry["outlet_name"],
                entry["population"],
                *_ages(entry["by_age"]),
            ]
        )
        urls.append(reverse("outlets:locality_detail", args=[entry["locality_id"]]))
    return Table(
        key="strategic",
        caption=_("Candidate strategic localities"),
        headers=[
            _("Locality"),
            _("The only outlet within 10 km"),
            _("People"),
            *age_headers(),
        ],
        rows=rows,
        urls=urls,
    )


def result_tables(result):
    return [
        bands_table(result),
        localities_table(result),
        outlets_table(result),
        strategic_table(result),
    ]


def change_table(before, after, key="scenario"):
    """Before, after and change per distance band, for all people and each age group."""
    groups = [(_("All ages"), None)] + [
        (AGE_LABELS[name], name) for name in AGE_GROUP_NAMES
    ]
    rows = []
    for old, new in zip(before["bands"], after["bands"], strict=True):
        for label, name in groups:
            a = old["population"] if name is None else old["by_age"].get(name)
            b = new["population"] if name is None else new["by_age"].get(name)
            change = None if a is None or b is None else b - a
            rows.append([band_label(new), label, a, b, change])
    return Table(
        key=key,
        caption=_("People per distance band and age group: before, after, change"),
        headers=[
            _("Distance"),
            _("Age group"),
            _("Before"),
            _("After"),
            pgettext("difference", "Change"),
        ],
        rows=rows,
    )


def compare_table(before, results):
    """Saved scenarios side by side: people per distance band, and the change."""
    headers = [_("Distance"), _("Today")]
    for name, _result in results:
        headers += [
            name,
            pgettext("difference", "%(scenario)s: change") % {"scenario": name},
        ]
    rows = []
    for b, band in enumerate(before["bands"]):
        row = [band_label(band), band["population"]]
        for _name, result in results:
            people = result["bands"][b]["population"]
            row += [people, people - band["population"]]
        rows.append(row)
    return Table(
        key="compare",
        caption=_("Saved scenarios compared: people per distance band"),
        headers=headers,
        rows=rows,
    )


def table_csv(table):
    """The table as CSV: semicolons and a byte order mark, for Swedish Excel."""
    return csv_bytes(
        table.headers,
        [[_csv_cell(value) for value in row] for row in table.all_rows()],
    )


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    return value
