from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: form and view helpers, number reading, the export
    writer, the PDF/A pipeline, the history display. It imports no project app."""

    default = True
    name = "core"
