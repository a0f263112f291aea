"""The privacy notice (issue 15): made from the registry, for everyone."""

import pytest
from django.urls import reverse
from django.utils import translation

from privacy.registry import REGISTRY

pytestmark = pytest.mark.django_db


def test_the_notice_tells_every_registered_kind_of_data_with_purpose_basis_and_time(
    client,
):
    page = client.get(reverse("privacy:notice")).content.decode()

    assert "<h1>Så behandlar vi personuppgifter</h1>" in page
    for entry in REGISTRY:
        for text in (entry.what, entry.purpose, entry.basis.label):
            assert str(text).replace("'", "&#x27;") in page
    assert "Sju år efter utbetalningsåret (bokföringslagen)" in page
    assert "Integritetsskyddsmyndigheten" in page


def test_the_notice_speaks_english_too(client, official):
    client.force_login(official)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse("privacy:notice")).content.decode()

    assert "<h1>How we process personal data</h1>" in page
    with translation.override("en"):
        assert str(REGISTRY[0].what).replace("'", "&#x27;") in page
    assert "Seven years after the year of payment" in page


def test_each_purpose_is_one_group_however_many_fields_serve_it(client):
    page = client.get(reverse("privacy:notice")).content.decode()

    purposes = {str(entry.purpose) for entry in REGISTRY}
    for purpose in purposes:
        assert page.count(f"<h2>{purpose}</h2>".replace("'", "&#x27;")) == 1


def test_the_footer_links_the_notice_for_visitors_and_the_signed_in(client, shop_owner):
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("privacy:notice") in login_page

    client.force_login(shop_owner)
    start = client.get(reverse("start")).content.decode()
    assert f'<a href="{reverse("privacy:notice")}">' in start
