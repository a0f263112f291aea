import pytest
from django.core.exceptions import ValidationError

from deliveries.validators import household_reference_normalised


@pytest.mark.parametrize(
    "typed,stored",
    [("H-017", "H-017"), (" h-017 ", "H-017"), ("HS12", "HS12"), ("4", "4")],
)
def test_a_code_of_letters_and_digits_is_stored_in_capitals(typed, stored):
    assert household_reference_normalised(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["19450312-1234", "450312-1234", "4503121234", "194503121234", "450312+1234"],
)
def test_a_personal_identity_number_is_refused_with_a_message_saying_so(typed):
    with pytest.raises(ValidationError) as raised:
        household_reference_normalised(typed)

    assert raised.value.code == "personal_identity_number"
    assert raised.value.messages == [
        "Det här ser ut som ett personnummer. Skriv hushållets kod i stället, "
        "t.ex. H-017: personnummer får inte sparas här."
    ]


@pytest.mark.parametrize("typed", ["Anna Svensson", "Svensson", "Per Ek", "Åsa"])
def test_a_name_is_refused_with_a_message_saying_so(typed):
    with pytest.raises(ValidationError) as raised:
        household_reference_normalised(typed)

    assert raised.value.code == "name"
    assert raised.value.messages == [
        "Det här ser ut som ett namn. Skriv hushållets kod i stället, t.ex. "
        "H-017: namn får inte sparas här."
    ]


@pytest.mark.parametrize("typed", ["", "H-", "H-123456", "AB CD", "H_017", "ABCD-1"])
def test_anything_else_that_is_not_a_short_code_is_refused(typed):
    with pytest.raises(ValidationError) as raised:
        household_reference_normalised(typed)

    assert raised.value.code in ("invalid", "name")
