"""The owner's report reads figures with the forgiving number reader (core.numbers)."""

import pytest

from followup.forms import ReportForm


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345678901234567890", "Det är mer än 10\u00a0000\u00a0000"),
        ("-5", "Ange 0 eller mer."),
    ],
)
@pytest.mark.django_db
def test_the_reports_figures_refuse_impossible_numbers_clearly(typed, message):
    form = ReportForm(data={"visitors_per_week": typed})

    assert not form.is_valid()
    [error] = form.errors["visitors_per_week"]
    assert message in error
    assert "2147483647" not in error
