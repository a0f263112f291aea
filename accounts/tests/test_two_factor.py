"""Two factors (issue 13): required for the system owner and administrators, who
reach nothing but the set-up page before they have one; available to everyone; a
wrong code refused and counted; recovery codes; an administrator's reset."""

import base64
import logging
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_USERS, seed_users
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.two_factor import app_code, app_of
from accounts.views import NEW_RECOVERY_CODES, PENDING_TOTP_KEY
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
RECOVERY = reverse("accounts:recovery_codes")


def password_sign_in(client, user, password=TEST_PASSWORD):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": password}
    )
    assert response.status_code == 302, "the password was refused"
    return response


def redirected_to(response, path):
    return response.status_code == 302 and response["Location"].split("?")[0] == path


def pending_code(client):
    """What the app set up from the set-up page's key would show now."""
    key = bytes.fromhex(client.session[PENDING_TOTP_KEY])
    return f"{TOTP(key).token():06d}"


def make_throttle_pass(device):
    """As if the wait after the last wrong code were over."""
    device.refresh_from_db()
    device.throttling_failure_timestamp -= timedelta(hours=1)
    device.save(update_fields=["throttling_failure_timestamp"])


def test_a_user_owing_a_code_still_reads_the_pages_open_to_everyone(
    client, administrator
):
    """The public pages and statements ask no sign-in, so no second factor either;
    and a calendar feed's secret address never lands in a `next` parameter."""
    password_sign_in(client, administrator)
    assert redirected_to(client.get("/outlets/"), SETUP)

    for page in ["/service-points/", "/accessibility/", "/privacy/", "/open-data/"]:
        assert client.get(page).status_code == 200, page
    feed = client.get("/calendar/" + "x" * 43 + ".ics")
    assert feed.status_code == 404
    assert "Location" not in feed


@pytest.mark.parametrize("role", ["administrator", "system_owner"])
def test_a_privileged_user_without_an_app_reaches_only_the_set_up_page(client, role):
    user = UserFactory(**{role: True})
    password_sign_in(client, user)

    for page in ["/", "/outlets/", "/accounts/profile/", "/admin/", "/accounts/users/"]:
        response = client.get(page)
        assert redirected_to(response, SETUP), page
        assert response["Location"] == f"{SETUP}?next={page}"
    # A form elsewhere is not accepted either: nothing is written.
    assert redirected_to(client.post("/accounts/password/change/", {}), SETUP)
    # The code's own pages wait too: the set-up comes first.
    assert redirected_to(client.get(VERIFY), SETUP)
    assert redirected_to(client.get(RECOVERY), SETUP)

    page = client.get(SETUP)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Din roll kräver ett andra steg" in content
    assert "<svg" in content
    # Nothing else is offered in the navigation before the set-up.
    assert "main-nav" not in content
    # Signing out works.
    assert redirected_to(
        client.post(reverse("accounts:logout")), reverse("accounts:login")
    )


def test_setting_up_the_app_turns_it_on_and_shows_recovery_codes_once(
    client, administrator
):
    password_sign_in(client, administrator)
    page = client.get(SETUP + "?next=/outlets/").content.decode()
    key = client.session[PENDING_TOTP_KEY]
    # The key as the page shows it, in groups of four, is the one in the QR code.
    typed_key = re.search(r'class="secret-key"><code>([A-Z2-7 ]+)</code>', page)[1]
    assert bytes.fromhex(key) == base64.b32decode(typed_key.replace(" ", ""))
    # A reload shows the same key: the app is set up from one scan.
    client.get(SETUP)
    assert client.session[PENDING_TOTP_KEY] == key

    wrong = client.post(SETUP, {"code": "000000"})
    assert wrong.status_code == 200
    assert "Koden stämmer inte med den som appen visar nu" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=administrator).exists()

    done = client.post(SETUP, {"code": pending_code(client), "next": "/outlets/"})

    assert redirected_to(done, RECOVERY)
    device = TOTPDevice.objects.get(user=administrator)
    assert device.confirmed and device.key == key
    shown = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=administrator).values_list(
            "token", flat=True
        )
    )
    assert 'href="/outlets/"' in shown
    # Shown once: the next visit only counts them.
    again = client.get(RECOVERY).content.decode()
    assert codes[0] not in again
    assert "Du har 10 oanvända reservkoder." in again
    # The session is verified: every page opens.
    assert client.get("/outlets/").status_code == 200


def test_signing_in_again_asks_for_a_code_and_counts_a_wrong_one(
    client, administrator, caplog
):
    device = app_of(administrator)
    password_sign_in(client, administrator)
    key_after_password = client.session.session_key
    assert redirected_to(client.get("/outlets/"), VERIFY)
    # With an app, its check comes first: the set-up page would let a password
    # thief replace the app.
    assert redirected_to(client.get(SETUP), VERIFY)

    with caplog.at_level(logging.WARNING, logger="accounts.two_factor"):
        wrong = client.post(VERIFY + "?next=/outlets/", {"code": "123456"})

    assert wrong.status_code == 200
    assert "Koden är fel." in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert [record.getMessage() for record in caplog.records] == [
        f"Wrong second-factor code for user {administrator.pk}."
    ]
    # At once after a wrong code even the right one waits.
    right = app_code(device)
    too_soon = client.post(VERIFY, {"code": right})
    assert (
        "För många felaktiga koder i rad. Vänta 1 sekund" in too_soon.content.decode()
    )
    assert redirected_to(client.get("/outlets/"), VERIFY)

    make_throttle_pass(device)
    done = client.post(VERIFY + "?next=/outlets/", {"code": right})

    assert redirected_to(done, "/outlets/")
    assert client.get("/outlets/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    # A new session key with the second factor: one fixed before it is worth nothing.
    assert client.session.session_key != key_after_password


def test_each_wrong_code_doubles_the_wait(client, administrator):
    device = app_of(administrator)
    password_sign_in(client, administrator)
    for _ in range(4):
        client.post(VERIFY, {"code": "000000"})
        make_throttle_pass(device)
    client.post(VERIFY, {"code": "000000"})

    response = client.post(VERIFY, {"code": app_code(device)})

    assert "Vänta 16 sekunder" in response.content.decode()


def test_a_code_works_once(client, administrator):
    device = app_of(administrator)
    code = app_code(device)
    password_sign_in(client, administrator)
    assert redirected_to(client.post(VERIFY, {"code": code}), "/")

    other = type(client)()
    password_sign_in(other, administrator)
    response = other.post(VERIFY, {"code": code})

    assert "Koden är fel." in response.content.decode()


def test_a_recovery_code_signs_in_once(client, administrator):
    app_of(administrator)
    password_sign_in(client, administrator)
    client.force_login(administrator)
    client.post(RECOVERY, {"current_password": TEST_PASSWORD})
    codes = client.session[NEW_RECOVERY_CODES]
    client.post(reverse("accounts:logout"))

    password_sign_in(client, administrator)
    # As people type them: with a space, in capitals.
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
    assert redirected_to(client.post(VERIFY, {"code": typed}), "/")
    client.post(reverse("accounts:logout"))

    password_sign_in(client, administrator)
    response = client.post(VERIFY, {"code": codes[0]})
    assert "Koden är fel." in response.content.decode()
    assert StaticToken.objects.filter(device__user=administrator).count() == 9


def test_a_next_address_elsewhere_is_not_followed(client, administrator):
    device = app_of(administrator)
    password_sign_in(client, administrator)

    response = client.post(
        VERIFY + "?next=https://phishing.example/", {"code": app_code(device)}
    )

    assert redirected_to(response, "/")


def test_an_official_works_without_a_second_factor_and_may_turn_it_on_and_off(
    client, official
):
    password_sign_in(client, official)
    assert client.get("/outlets/").status_code == 200
    profile = client.get("/accounts/profile/").content.decode()
    assert "Av: du loggar in med bara ditt lösenord." in profile

    client.get(SETUP)
    client.post(SETUP, {"code": pending_code(client)})
    assert "På: du loggar in med ditt lösenord och en kod" in (
        client.get("/accounts/profile/").content.decode()
    )
    client.post(reverse("accounts:logout"))
    password_sign_in(client, official)
    # Once on, it is asked for at every sign-in.
    assert redirected_to(client.get("/outlets/"), VERIFY)
    client.post(VERIFY, {"code": app_code(TOTPDevice.objects.get(user=official))})

    refused = client.post(
        reverse("accounts:two_factor_remove"), {"current_password": "wrong"}
    )
    assert "Det är inte ditt lösenord." in refused.content.decode()
    assert TOTPDevice.objects.filter(user=official).exists()

    response = client.post(
        reverse("accounts:two_factor_remove"), {"current_password": TEST_PASSWORD}
    )

    assert redirected_to(response, "/accounts/profile/")
    assert not TOTPDevice.objects.filter(user=official).exists()
    assert not StaticToken.objects.filter(device__user=official).exists()


def test_an_administrator_cannot_turn_the_second_factor_off(client, administrator):
    client.force_login(administrator)

    assert client.get(reverse("accounts:two_factor_remove")).status_code == 404
    assert client.post(reverse("accounts:two_factor_remove")).status_code == 404
    assert TOTPDevice.objects.filter(user=administrator).exists()


def reset_url(user):
    return reverse("accounts:two_factor_reset", kwargs={"pk": user.pk})


def test_an_administrator_resets_a_colleagues_lost_app(
    client, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory(administrator=True, full_name="Eva Ström")
    app_of(colleague)
    client.force_login(administrator)
    users = client.get("/accounts/users/").content.decode()
    assert f'href="{reset_url(colleague)}"' in users
    assert "Återställ andra steget för Eva Ström" in (
        client.get(reset_url(colleague)).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(colleague), follow=True)

    assert "Andra steget för Eva Ström är återställt." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    # The colleague is told, in case they never asked.
    (notice,) = mailoutbox
    assert notice.to == [colleague.email]
    assert notice.subject == "Ditt andra steg i Servicepunkter har återställts"
    assert "Om du inte har bett om det" in notice.body
    # At the colleague's next sign-in: a new app.
    other = type(client)()
    password_sign_in(other, colleague)
    assert redirected_to(other.get("/"), SETUP)


def test_a_reset_reaches_only_colleagues_of_the_own_municipality(
    client, administrator, system_owner
):
    umea_admin = UserFactory(administrator=True, municipality=municipality("2480"))
    app_of(umea_admin)
    app_of(system_owner)
    client.force_login(administrator)

    for user in [umea_admin, system_owner, administrator]:
        assert client.get(reset_url(user)).status_code == 404
        assert client.post(reset_url(user)).status_code == 404
    assert TOTPDevice.objects.filter(user__in=[umea_admin, system_owner]).count() == 2


def test_the_system_owner_resets_anyones_and_officials_nobodys(
    client, system_owner, official
):
    umea_admin = UserFactory(administrator=True, municipality=municipality("2480"))
    app_of(umea_admin)
    client.force_login(official)
    assert client.post(reset_url(umea_admin)).status_code == 403

    client.force_login(system_owner)
    client.post(reset_url(umea_admin))

    assert not TOTPDevice.objects.filter(user=umea_admin).exists()


def test_the_demo_gives_its_system_owner_and_administrator_the_published_key(
    client, settings, capsys
):
    seed_users(municipality("2401"), {"Pers Livs": OutletFactory()})
    settings.DEBUG = True
    call_command("demo_code")
    printed = capsys.readouterr().out
    code = re.search(r"administrator@nordmaling\.example: (\d{6})", printed)[1]
    assert "systemagare@servicepunkter.example: " + code in printed

    administrator = DEMO_USERS[1]
    client.post(
        reverse("accounts:login"),
        {"username": administrator.email, "password": DEMO_PASSWORD},
    )
    assert redirected_to(client.post(VERIFY, {"code": code}), "/")
    device = TOTPDevice.objects.get(user__email=administrator.email)
    assert device.bin_key == base64.b32decode(DEMO_TOTP_KEY)
    assert not TOTPDevice.objects.filter(user__email=DEMO_USERS[2].email).exists()


def test_the_demo_code_is_not_shown_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo_code")


def test_the_system_owner_resets_a_second_factor_from_the_django_admin(
    client, system_owner
):
    umea_admin = UserFactory(administrator=True, municipality=municipality("2480"))
    app_of(umea_admin)
    client.force_login(system_owner)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "reset_two_factor",
            "_selected_action": [umea_admin.pk, system_owner.pk],
        },
        follow=True,
    )

    assert "Återställt: de ställer in en ny autentiseringsapp" in (
        response.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=umea_admin).exists()
    # Not the system owner's own: that would sign them out of everything.
    assert TOTPDevice.objects.filter(user=system_owner).exists()


def test_the_django_admin_shows_no_authenticator_keys(client, system_owner):
    client.force_login(system_owner)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_a_session_from_before_the_app_was_set_up_is_signed_out(client, official):
    """A password thief signed in before the owner turned two factors on keeps
    nothing: every other session of the user ends with the change."""
    stale = type(client)()
    password_sign_in(stale, official)
    password_sign_in(client, official)
    client.get(SETUP)
    client.post(SETUP, {"code": pending_code(client)})
    assert TOTPDevice.objects.filter(user=official).exists()

    response = stale.post(
        reverse("accounts:two_factor_remove"), {"current_password": TEST_PASSWORD}
    )

    assert redirected_to(response, reverse("accounts:login"))
    assert TOTPDevice.objects.filter(user=official).exists()
    # The session that set it up stays signed in.
    assert client.get("/outlets/").status_code == 200


def test_a_reset_signs_the_colleague_out_everywhere(client, administrator):
    colleague = UserFactory(administrator=True)
    app_of(colleague)
    theirs = type(client)()
    theirs.force_login(colleague)
    assert theirs.get("/outlets/").status_code == 200
    client.force_login(administrator)

    client.post(reset_url(colleague))

    assert redirected_to(theirs.get("/outlets/"), reverse("accounts:login"))


def test_new_recovery_codes_and_a_new_app_take_the_password(client, administrator):
    app_of(administrator)
    client.force_login(administrator)
    before = set(
        StaticToken.objects.filter(device__user=administrator).values_list(
            "token", flat=True
        )
    )

    refused = client.post(RECOVERY, {"current_password": "wrong"})
    assert "Det är inte ditt lösenord." in refused.content.decode()
    client.get(SETUP)
    replaced = client.post(
        SETUP, {"code": pending_code(client), "current_password": "wrong"}
    )
    assert "Det är inte ditt lösenord." in replaced.content.decode()

    assert (
        set(
            StaticToken.objects.filter(device__user=administrator).values_list(
                "token", flat=True
            )
        )
        == before
    )
    assert (
        TOTPDevice.objects.get(user=administrator).key
        != client.session[PENDING_TOTP_KEY]
    )


@pytest.mark.parametrize("code", ["12345²", "١٢٣٤٥٦", "½½½½½½"])
def test_digits_of_other_scripts_are_a_wrong_code_not_an_error(
    client, administrator, code
):
    password_sign_in(client, administrator)
    assert client.post(SETUP, {"code": code}).status_code == 200
    app_of(administrator)
    assert client.post(VERIFY, {"code": code}).status_code == 200


def test_the_check_page_sends_on_whoever_owes_no_code(client, official):
    client.force_login(official)

    assert redirected_to(client.get(VERIFY + "?next=/outlets/"), "/outlets/")
    assert redirected_to(client.post(VERIFY, {"code": "123456"}), "/")


def test_after_a_reset_the_system_owner_is_back_in_the_django_admin(
    client, system_owner
):
    colleague = UserFactory(administrator=True)
    app_of(colleague)
    client.force_login(system_owner)

    response = client.post(reset_url(colleague))

    assert redirected_to(response, reverse("admin:accounts_user_changelist"))
