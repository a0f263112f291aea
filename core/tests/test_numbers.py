import pytest

from core.numbers import KRONOR, count_read


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1 200", (1_200, False)), ("ca 40", (40, True)), ("40–50", (45, True))],
)
def test_counts_are_read_as_shopkeepers_type_them(typed, read):
    assert count_read(typed) == read


def test_an_amount_in_kronor_may_carry_its_unit():
    assert count_read("1 250 kr", unit=KRONOR) == (1_250, False)
