from django.template import Context, Template
from django.utils import translation


def test_money_is_shown_as_whole_kronor_with_a_space_between_thousands():
    template = Template("{% load core %}{{ amount|kronor }}")
    with translation.override("sv"):
        assert template.render(Context({"amount": 40000})) == "40\xa0000 kr"
    with translation.override("en"):
        assert template.render(Context({"amount": 1250000})) == "1\xa0250\xa0000 kr"
