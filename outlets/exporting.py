"""Exporting the outlet register in the columns the import reads, through the one
export writer (core.exporting)."""

from django.utils import translation

from core.exporting import csv_bytes, xlsx_bytes
from outlets.filters import with_service_point
from outlets.resources import COLUMN_LABELS, OutletResource


def outlet_export(outlets, export_format, *, records_visible_for=None):
    """The outlets as CSV or XLSX bytes.

    `records_visible_for`: ids of the outlets whose record columns (organisation number,
    contact) may be written; None writes them for all (an operator's command).
    """
    outlets = with_service_point(
        outlets.select_related("municipality", "locality").prefetch_related("contacts")
    )
    with translation.override("sv"):
        dataset = OutletResource(records_visible_for=records_visible_for).export(
            outlets
        )
    if export_format == "xlsx":
        return xlsx_bytes(
            dataset.headers,
            list(dataset),
            title="Försäljningsställen",
            numeric_columns=(COLUMN_LABELS["latitude"], COLUMN_LABELS["longitude"]),
        )
    return csv_bytes(dataset.headers, list(dataset))
