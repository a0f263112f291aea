from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from analysis.roads import RoadFileError
from analysis.services import road_network_store


class Command(BaseCommand):
    help = (
        "Import a road network (GeoJSON or GeoPackage line features, e.g. Pipos' "
        "processed national road network or OpenStreetMap roads). From then on the "
        "service analysis measures distances along it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", help="A name for the network (default: file).")

    def handle(self, *args, file, name, **options):
        try:
            network = road_network_store(path=file, name=name or file.name)
        except RoadFileError as error:
            raise CommandError(f"{file.name}: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Road network %(name)s stored: %(nodes)s nodes, %(edges)s road "
                    "segments. The service analysis now measures along the roads."
                )
                % {
                    "name": network.name,
                    "nodes": network.node_count,
                    "edges": network.edge_count,
                }
            )
        )
