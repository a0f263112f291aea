import pytest
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.utils import translation

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from outlets.models import Locality, Outlet
from servicepunkter.management.commands.seed_demo import demo_seed

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_the_swedish_not_found_page(client):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


def test_every_response_carries_csp_frame_nosniff_and_referrer_headers(client):
    response = client.get("/accounts/login/")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_event_handler(client, official):
    client.force_login(official)
    for url in ["/", "/outlets/", "/accounts/profile/", "/accounts/login/"]:
        html = client.get(url, follow=True).content.decode()
        assert "<script>" not in html
        assert " onclick=" not in html and " onload=" not in html
        assert "style=" not in html


def test_forged_form_post_without_csrf_token_gets_a_swedish_message(official):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    response = client.post("/accounts/password/change/", {})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_interface_is_swedish_by_default_and_english_on_request(client):
    assert "Logga in" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in client.get("/accounts/login/").content.decode()


def test_dates_are_shown_the_swedish_way_in_both_languages():
    import datetime

    template = Template("{{ day|date:'SHORT_DATE_FORMAT' }}")
    for language in ("sv", "en"):
        with translation.override(language):
            rendered = template.render(Context({"day": datetime.date(2026, 11, 22)}))
            assert rendered == "2026-11-22"


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_builds_nordmaling_with_its_five_service_points_and_every_role(
    settings,
):
    settings.DEBUG = True
    call_command("seed_demo")

    service_points = Outlet.objects.filter(
        municipality__code="2401",
        name__in=[
            "Pers Livs",
            "ICA Lundins",
            "Handlarn Nyåker",
            "Handlarn Rundvik",
            "Norrfors Bageri",
        ],
    )
    assert {outlet.locality.name for outlet in service_points} == {
        "Brattfors",
        "Gräsmyr",
        "Nyåker",
        "Rundvik",
        "Norrfors",
    }
    # The Västerbotten sample: Nordmaling's register and its neighbours'.
    assert Outlet.objects.filter(municipality__code="2401").count() == 13
    assert Outlet.objects.filter(municipality__county__code="24").count() == 59
    # One user of each role, and a second official (the attestation rules need two).
    assert sorted(User.objects.values_list("role", flat=True)) == sorted(
        [*Role.values, Role.OFFICIAL]
    )
    shop_owner = User.objects.get(role=Role.SHOP_OWNER)
    assert [outlet.name for outlet in shop_owner.outlets.all()] == ["Pers Livs"]
    assert shop_owner.check_password(DEMO_PASSWORD)


def test_seed_demo_twice_changes_nothing():
    demo_seed()
    before = (
        list(User.objects.values().order_by("pk")),
        list(Outlet.objects.values().order_by("pk")),
        list(Locality.objects.values().order_by("pk")),
    )
    demo_seed()
    after = (
        list(User.objects.values().order_by("pk")),
        list(Outlet.objects.values().order_by("pk")),
        list(Locality.objects.values().order_by("pk")),
    )
    assert after == before


def test_nul_byte_in_a_parameter_gets_the_bad_request_page_not_a_server_error(
    client, official
):
    client.force_login(official)
    response = client.get("/outlets/", {"municipality": "\x00"})
    assert response.status_code == 400
    assert "Felaktig begäran" in response.content.decode()


def test_a_method_a_page_does_not_take_gets_a_page_that_says_so(client, official):
    client.force_login(official)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert "Det går inte här" in response.content.decode()
