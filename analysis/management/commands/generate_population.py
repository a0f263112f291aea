from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from analysis.services import (
    AnalysisError,
    municipality_by_code,
    population_synthetic_store,
)


class Command(BaseCommand):
    help = (
        "Generate a synthetic population grid (250 m squares) clustered around the "
        "municipality's localities, for demonstrations and benchmarks. It replaces "
        "the municipality's squares and is marked synthetic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="CODE", required=True)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--people",
            type=int,
            help="How many people in all (default: the localities' populations).",
        )

    def handle(self, *args, municipality, seed, people, **options):
        try:
            chosen = municipality_by_code(municipality)
            record = population_synthetic_store(
                municipality=chosen, seed=seed, people=people
            )
        except AnalysisError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(municipality)s: SYNTHETIC population of %(people)s people in "
                    "%(squares)s square stored; it replaced the previous squares.",
                    "%(municipality)s: SYNTHETIC population of %(people)s people in "
                    "%(squares)s squares stored; it replaced the previous squares.",
                    record.square_count,
                )
                % {
                    "municipality": chosen,
                    "people": record.population,
                    "squares": record.square_count,
                }
            )
        )
