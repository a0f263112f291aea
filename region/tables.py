"""The county page's tables, as the page shows them and as CSV: one builder per
table, so that the page and the export never disagree (as analysis.exporting)."""

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from analysis.exporting import Table, band_label
from reports.templatetags.reports import target_result


def municipalities_table(figures, *, year):
    """Per municipality: outlets, service points, agreements, money, follow-ups."""
    rows, urls = [], []
    for row in figures:
        rows.append(
            [
                row.municipality.name,
                row.outlets,
                row.service_points,
                row.agreements_in_force,
                row.budget.budget,
                row.budget.committed,
                row.budget.paid,
                part_of(row.followups_done, row.followups_total),
                part_of(len(row.goals_met), len(row.goals)) if row.goals else None,
            ]
        )
        urls.append(_kpis_url(row, year))
    budgets = [row.budget.budget for row in figures if row.budget.budget is not None]
    return Table(
        key="municipalities",
        caption=_("The municipalities in %(year)s") % {"year": year},
        headers=[
            _("Municipality"),
            _("Open outlets"),
            _("Service points"),
            _("Agreements in force in the year"),
            _("Budget (kr)"),
            _("Compensation committed (kr)"),
            _("Compensation paid (kr)"),
            _("Follow-ups done"),
            _("Goals met"),
        ],
        rows=rows,
        urls=urls,
        footer=[
            _("The county"),
            *[sum(row[column] for row in rows) for column in (1, 2, 3)],
            sum(budgets) if budgets else None,
            *[sum(row[column] for row in rows) for column in (5, 6)],
            part_of(
                sum(row.followups_done for row in figures),
                sum(row.followups_total for row in figures),
            ),
            "",
        ],
    )


def _grouped(count):
    return number_format(count, decimal_pos=0, force_grouping=True)


def _kpis_url(row, year):
    """The municipality's key figures; none for a municipality without outlets
    (the key figures page does not offer it)."""
    if not row.outlets:
        return None
    return (
        reverse("reports:kpis")
        + "?"
        + urlencode({"municipality": row.municipality.code, "year": year})
    )


def part_of(part, whole):
    """'2 of 3': follow-ups done of those due, goals met of those set."""
    return _("%(part)s of %(whole)s") % {"part": part, "whole": whole}


def goals_table(figures, *, year):
    """Each municipality's programme goals for the year: target, outcome, met."""
    rows, urls = [], []
    for row in figures:
        url = _kpis_url(row, year)
        for goal in row.goals:
            unit = f" ({goal.unit})" if goal.unit else ""
            rows.append(
                [
                    row.municipality.name,
                    goal.label + unit,
                    goal.target,
                    goal.outcome,
                    target_result(goal.met),
                ]
            )
            urls.append(url)
    return Table(
        key="goals",
        caption=_("The programme's goals for %(year)s") % {"year": year},
        headers=[
            _("Municipality"),
            _("Goal"),
            _("Target"),
            _("Outcome"),
            _("Met"),
        ],
        rows=rows,
        urls=urls,
    )


def _job_note(job):
    if job.is_unfinished:
        return _("being computed")
    return _("could not be computed")


def bands_table(municipalities, analysis):
    """People by distance to the nearest grocery shop, per municipality."""
    labels = [
        band_label(band)
        for band in _band_edges(analysis.bands_km)  # the same for every row
    ]
    rows, urls = [], []
    totals = [0] * (len(labels) + 1)
    for municipality in municipalities:
        result = analysis.results.get(municipality.pk)
        # Its analysis page, where there is a population to analyse.
        urls.append(
            reverse("analysis:analysis")
            + "?"
            + urlencode({"municipality": municipality.code})
            if result is not None
            else None
        )
        job = analysis.jobs.get(municipality.pk)
        if result is None:
            rows.append(
                [
                    municipality.name,
                    *[None] * (len(labels) + 1),
                    _job_note(job) if job else _("No population imported"),
                ]
            )
            continue
        people = [result["total_population"]] + [
            band["population"] for band in result["bands"]
        ]
        totals = [a + b for a, b in zip(totals, people, strict=True)]
        rows.append(
            [
                municipality.name,
                *people,
                "; ".join(
                    note
                    for note in [
                        _("Synthetic population")
                        if result["population_source"]["synthetic"]
                        else "",
                        _("Out of date: %(state)s") % {"state": _job_note(job)}
                        if job
                        else "",
                    ]
                    if note
                ),
            ]
        )
    return Table(
        key="bands",
        caption=_("People by distance to the nearest grocery shop"),
        headers=[_("Municipality"), _("People"), *labels, _("Note")],
        rows=rows,
        urls=urls,
        footer=[_("The county"), *totals, ""],
    )


def _band_edges(bands_km):
    edges = [0, *bands_km]
    return [
        {"from_km": edges[b], "to_km": bands_km[b] if b < len(bands_km) else None}
        for b in range(len(bands_km) + 1)
    ]


def borders_table(analysis):
    """Localities whose nearest grocery shop lies across a municipal border."""
    rows, urls = [], []
    for border in analysis.borders:
        rows.append(
            [
                border.locality.name,
                border.municipality.name,
                border.nearest_name,
                border.nearest_municipality,
                border.nearest_km,
                border.own_name or _("none"),
                border.own_km,
            ]
        )
        urls.append(reverse("outlets:locality_detail", args=[border.locality.pk]))
    return Table(
        key="borders",
        caption=_("Localities whose nearest grocery shop is in another municipality"),
        headers=[
            _("Locality"),
            _("Municipality"),
            _("Nearest grocery shop"),
            _("Its municipality"),
            _("Distance (km)"),
            _("Nearest in the own municipality"),
            _("Distance (km)"),
        ],
        rows=rows,
        urls=urls,
    )


def shared_table(analysis):
    """Outlets whose closure would hit people of more than one municipality."""
    rows, urls = [], []
    for shared in analysis.shared_outlets:
        rows.append(
            [
                shared.name,
                shared.municipality,
                len(shared.hits),
                shared.dependent,
                shared.stranded,
                "; ".join(
                    f"{municipality.name} {_grouped(people)} ({_grouped(far)})"
                    for municipality, people, far in shared.hits
                ),
            ]
        )
        urls.append(reverse("outlets:outlet_detail", args=[shared.id]))
    return Table(
        key="shared",
        caption=_("Outlets whose closure would hit more than one municipality"),
        headers=[
            _("Outlet"),
            _("Its municipality"),
            _("Municipalities hit"),
            _("People for whom it is the nearest"),
            _("More than 10 km from the next if it closed"),
            _("Per municipality: people (more than 10 km from the next)"),
        ],
        rows=rows,
        urls=urls,
    )
