from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from analysis.population import PopulationFileError, population_file_read
from analysis.services import AnalysisError, municipality_by_code, population_store


class Command(BaseCommand):
    help = (
        "Import a population grid (the CSV template, SCB's grid statistics, Pipos "
        "squares or a GeoPackage) for a municipality, replacing its squares; all or "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", metavar="CODE", required=True)

    def handle(self, *args, file, municipality, **options):
        try:
            chosen = municipality_by_code(municipality)
            grid = population_file_read(file.name, file.read_bytes())
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from error
        except (AnalysisError, PopulationFileError) as error:
            raise CommandError(f"{file.name}: {error}") from error
        record = population_store(municipality=chosen, grid=grid, file_name=file.name)
        if record.note:
            self.stdout.write(record.note)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(municipality)s: %(squares)s square, %(people)s people "
                    "(%(format)s) stored; the previous squares were replaced.",
                    "%(municipality)s: %(squares)s squares, %(people)s people "
                    "(%(format)s) stored; the previous squares were replaced.",
                    record.square_count,
                )
                % {
                    "municipality": chosen,
                    "squares": record.square_count,
                    "people": record.population,
                    "format": record.get_format_display(),
                }
            )
        )
