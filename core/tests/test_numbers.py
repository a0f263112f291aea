import pytest

from core.numbers import KRONOR, count_read
from followup.forms import ReportForm


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1 200", (1_200, False)), ("ca 40", (40, True)), ("40–50", (45, True))],
)
def test_counts_are_read_as_shopkeepers_type_them(typed, read):
    assert count_read(typed) == read


def test_an_amount_in_kronor_may_carry_its_unit():
    assert count_read("1 250 kr", unit=KRONOR) == (1_250, False)


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
