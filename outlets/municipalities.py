"""Sweden's counties and municipalities by their SCB codes, shipped with the app."""

import csv
from pathlib import Path

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities-se.csv"


def load_municipalities(county_model, municipality_model) -> None:
    """Create or update every county and municipality from the shipped list.

    Takes the model classes so that the data migration can pass its historical models.
    """
    with MUNICIPALITIES_CSV.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file, delimiter=";"))
    counties = {
        row["lanskod"]: county_model(code=row["lanskod"], name=row["lan"])
        for row in rows
    }
    county_model.objects.bulk_create(
        counties.values(),
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name"],
    )
    county_ids = dict(county_model.objects.values_list("code", "pk"))
    municipality_model.objects.bulk_create(
        [
            municipality_model(
                code=row["kommunkod"],
                name=row["kommun"],
                county_id=county_ids[row["lanskod"]],
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "county"],
    )
