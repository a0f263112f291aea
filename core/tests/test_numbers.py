import pytest
from django import forms

from core.numbers import KRONOR, KronorField, count_read, kronor_read


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1 200", (1_200, False)), ("ca 40", (40, True)), ("40–50", (45, True))],
)
def test_counts_are_read_as_shopkeepers_type_them(typed, read):
    assert count_read(typed) == read


def test_an_amount_in_kronor_may_carry_its_unit():
    assert count_read("1 250 kr", unit=KRONOR) == (1_250, False)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("200 000", (200_000, False)),
        ("1 250 kr", (1_250, False)),
        ("275,00", (275, False)),
        ("275,50", (276, True)),
        ("275.50", (276, True)),
        ("275,50 kr", (276, True)),
        ("275,49", (275, True)),
        ("275,5", (276, True)),
        ("1 250,50 kr", (1_251, True)),
    ],
)
def test_amounts_are_read_as_people_type_them_and_oere_rounded_50_up(typed, read):
    assert kronor_read(typed) == read


class AmountForm(forms.Form):
    amount = KronorField()


def test_an_amount_with_oere_comes_back_rounded_with_a_message_and_saves_when_resent():
    form = AmountForm({"amount": "275,50 kr"})

    assert not form.is_valid()
    assert form.errors["amount"] == [
        "Avrundat till 276 kr. Kontrollera beloppet och spara igen."
    ]
    assert form.has_error("amount", code="rounded")
    assert 'value="276"' in str(form["amount"])

    resent = AmountForm({"amount": form["amount"].value()})
    assert resent.is_valid()
    assert resent.cleaned_data["amount"] == 276


def test_whole_amounts_as_typed_are_taken_at_once():
    for typed, amount in (("200 000", 200_000), ("1 250 kr", 1_250), ("40,00", 40)):
        form = AmountForm({"amount": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == amount


def test_an_amount_still_refuses_a_range_and_words():
    assert AmountForm({"amount": "40-50"}).errors["amount"] == [
        "Skriv ett belopp, inte ett intervall."
    ]
    assert not AmountForm({"amount": "mycket"}).is_valid()


# Issue 16 review, point 5: an amount is exact, typed the Swedish way, shown
# grouped, and a long slip is not echoed in full.


@pytest.mark.parametrize("typed", ["ca 50 000", "cirka 50 000 kr", "ungefär 50000"])
def test_an_amount_is_exact_an_approximation_is_refused(typed):
    form = AmountForm({"amount": typed})

    assert form.errors["amount"] == ["Skriv det exakta beloppet, t.ex. 50 000."]


@pytest.mark.parametrize("typed", ["50 000,-", "50 000:-", "50000:-", "50 000 kr"])
def test_the_swedish_ways_of_writing_whole_kronor_are_read(typed):
    form = AmountForm({"amount": typed})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 50_000


def test_an_amount_already_there_shows_grouped_and_reads_back():
    form = AmountForm(initial={"amount": 40_000})

    assert 'value="40 000"' in str(form["amount"])
    resent = AmountForm({"amount": form["amount"].value()})
    resent.is_valid()
    assert resent.cleaned_data["amount"] == 40_000


def test_a_long_slip_is_not_echoed_in_full_and_the_field_has_a_maxlength():
    form = AmountForm({"amount": "x" * 5_000})

    (message,) = form.errors["amount"]
    assert len(message) < 200
    assert "x" * 39 + "…" in message
    assert 'maxlength="40"' in str(form["amount"])


def test_a_count_still_takes_an_estimate():
    assert count_read("ca 40") == (40, True)
