import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from analysis.engine import AGE_GROUP_NAMES, KINDS
from analysis.models import KIND_LABELS
from analysis.services import (
    AnalysisError,
    NoPopulationError,
    ScenarioSpec,
    municipality_by_code,
    parse_bands,
    service_analysis_run,
)


class Command(BaseCommand):
    help = (
        "Service analysis of a municipality: population by distance band and age "
        "group, and per outlet the dependent population and how many would be more "
        "than 10 km from the next alternative if it closed. JSON contract: README."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="CODE", required=True)
        parser.add_argument("--kind", default="grocery", choices=KINDS)
        parser.add_argument(
            "--close",
            metavar="OUTLET_ID",
            nargs="+",
            default=[],
            help="Outlets (register ids) to close in this run only.",
        )
        parser.add_argument("--bands", metavar="KM,KM,…")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, municipality, kind, close, bands, format, **options):
        try:
            chosen = municipality_by_code(municipality)
            closed = []
            for value in close:
                if not value.isdigit():
                    raise AnalysisError(
                        _("“%(value)s” is not an outlet id.") % {"value": value}
                    )
                closed.append(int(value))
            result = service_analysis_run(
                municipality=chosen,
                kind=kind,
                bands=parse_bands(bands) if bands is not None else None,
                scenario=ScenarioSpec(closed=tuple(sorted(set(closed)))),
            )
        except NoPopulationError as error:
            raise CommandError(
                f"{error} "
                + _(
                    "Load one in the web app or with import_population or "
                    "generate_population."
                )
            ) from error
        except AnalysisError as error:
            raise CommandError(str(error)) from error
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.write_table(result, chosen)

    def write_table(self, result, municipality):
        self.write_heading(result, municipality)
        self.write_bands(result)
        self.stdout.write("")
        self.write_outlets(result)
        self.write_strategic_candidates(result)

    def write_heading(self, result, municipality):
        """Who, which kind, how many people, how distances are measured, and what
        to keep in mind (a network not reaching them, a synthetic population, a
        scenario)."""
        write = self.stdout.write
        method = (
            _("straight line × detour factor %(factor)s")
            % {"factor": result["detour_factor"]}
            if result["method"] == "straight_line"
            else _("along the road network %(name)s") % {"name": result["road_network"]}
        )
        write(
            _(
                "%(municipality)s, kind %(kind)s: %(people)s people; "
                "distance %(method)s."
            )
            % {
                "municipality": municipality,
                "kind": f"{KIND_LABELS[result['kind']]} ({result['kind']})",
                "people": result["total_population"],
                "method": method,
            }
        )
        if result["road_network_not_covering"]:
            write(
                _(
                    "The road network %(name)s does not reach this municipality's "
                    "people, so distances are straight lines."
                )
                % {"name": result["road_network_not_covering"]}
            )
        if result["population_source"]["synthetic"]:
            write(_("NOTE: the population is SYNTHETIC (generated), not real."))
        if result["scenario"]["closed"]:
            write(
                _("Scenario: closed %(ids)s.")
                % {"ids": ", ".join(map(str, result["scenario"]["closed"]))}
            )

    def write_bands(self, result):
        header = [_("distance (km)"), _("people"), *AGE_GROUP_NAMES]
        rows = []
        for band in result["bands"]:
            label = (
                f"{band['from_km']}–{band['to_km']}"
                if band["to_km"] is not None
                else f"≥ {band['from_km']}"
            )
            rows.append(
                [
                    label,
                    band["population"],
                    *(band["by_age"][g] for g in AGE_GROUP_NAMES),
                ]
            )
        self.table(header, rows)

    def write_outlets(self, result):
        header = [
            _("id"),
            _("outlet"),
            _("municipality"),
            _("dependent"),
            _("> 10 km if closed"),
            _("70+ transport need (km)"),
        ]
        rows = [
            [
                o["id"],
                o["name"],
                o["municipality_code"],
                o["dependent_population"],
                o["beyond_10_km_if_closed"],
                o["transport_need_70_plus_km"],
            ]
            for o in result["outlets"]
        ]
        self.table(header, rows)

    def write_strategic_candidates(self, result):
        for candidate in result["strategic_candidates"]:
            self.stdout.write(
                _(
                    "Candidate strategic locality: %(locality)s, %(people)s people "
                    "have only %(outlet)s within 10 km."
                )
                % {
                    "locality": candidate["locality"],
                    "people": candidate["population"],
                    "outlet": candidate["outlet_name"],
                }
            )

    def table(self, header, rows):
        cells = [[str("–" if v is None else v) for v in row] for row in [header, *rows]]
        widths = [max(len(row[j]) for row in cells) for j in range(len(header))]
        for row in cells:
            self.stdout.write(
                "  ".join(
                    value.ljust(width) if j == 1 or j == 0 else value.rjust(width)
                    for j, (value, width) in enumerate(zip(row, widths, strict=True))
                )
            )
