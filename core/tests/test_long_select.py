"""LongSelect draws the same select as Django's template does, escaped."""

from django import forms

from core.forms import LongSelect

CHOICES = [
    ("", "Alla kommuner"),
    ("2401", "Nordmaling"),
    ("2480", 'Umeå <script>alert("x")</script> & co'),
    ("Län", [("2403", "Bjurholm"), ("2404", "Vindeln")]),
]


class ChoiceForm(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False, help_text="Hjälp")
    long = forms.ChoiceField(
        choices=CHOICES, required=False, help_text="Hjälp", widget=LongSelect
    )


def test_the_long_select_is_djangos_select_in_other_words():
    form = ChoiceForm({"plain": "2480", "long": "2480"})
    form.is_valid()

    plain, drawn = str(form["plain"]), str(form["long"])

    assert drawn == " ".join(
        plain.replace("plain", "long").replace("\n", "").split()
    ).replace("> <", "><")
    assert '<option value="2480" selected>Umeå &lt;script&gt;' in drawn
    assert '<optgroup label="Län"><option value="2403">Bjurholm</option>' in drawn
    assert 'aria-describedby="id_long_helptext"' in drawn
