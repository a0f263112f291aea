from django.contrib import admin

from analysis.models import (
    AnalysisSettings,
    DataLoad,
    PopulationImport,
    RoadNetwork,
    Scenario,
)


@admin.register(AnalysisSettings)
class AnalysisSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "municipality",
        "detour_factor",
        "distance_bands_km",
        "strategic_threshold",
    ]
    fields = [
        "municipality",
        "detour_factor",
        "distance_bands_km",
        "strategic_threshold",
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows made by the import commands: listed here, changed only by a new import."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PopulationImport)
class PopulationImportAdmin(ReadOnlyAdmin):
    list_display = [
        "municipality",
        "file_name",
        "format",
        "synthetic",
        "square_count",
        "population",
        "has_ages",
        "imported_at",
    ]
    list_filter = ["synthetic", "format"]


@admin.register(RoadNetwork)
class RoadNetworkAdmin(ReadOnlyAdmin):
    list_display = ["name", "file_name", "node_count", "edge_count", "imported_at"]
    exclude = ["data"]


@admin.register(DataLoad)
class DataLoadAdmin(ReadOnlyAdmin):
    """Every load from the web app, a failed one with its reason: for the system
    owner, who follows the background work."""

    list_display = [
        "file_name",
        "kind",
        "municipality",
        "status",
        "uploaded_by",
        "uploaded_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["name", "municipality", "created_by", "created_at"]
