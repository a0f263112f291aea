"""Users in the app (issue 16, point 1): administrators invite users by e-mail,
choose and change their role, deactivate and reactivate them; the system owner
does the same for administrators and regional viewers; an official invites the
shop owner from the outlet's page. Every change is in the user's history and the
security log."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role, User, UserEvent
from accounts.tests.factories import UserFactory
from accounts.tests.two_factor import Client
from outlets.tests.factories import OutletFactory, county, municipality
from outlets.tests.history import history_rows, recorded_an_hour_ago
from securitylog.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db

INVITE = reverse("accounts:user_invite")
NEW_PASSWORD = "en lång och ovanlig lösenfras 42"
LINK = re.compile(r"https?://\S+/accounts/invitation/\S+/")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs what is sent after the transaction commits: the invitation e-mails."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def invite(client, sent, **fields):
    data = {
        "full_name": "Olle Ny",
        "email": "olle@nordmaling.example",
        "language": "sv",
        "role": Role.OFFICIAL,
        "municipality": municipality("2401").pk,
    }
    data.update(fields)
    return sent(lambda: client.post(INVITE, data))


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def path_of(url) -> str:
    """The link's path, for the test client."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_an_administrator_invites_an_official_who_gets_a_swedish_email_with_a_link(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)

    response = invite(client, sent)

    olle = User.objects.get(email="olle@nordmaling.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[olle.pk])
    assert (olle.role, olle.municipality.code, olle.is_active) == (
        Role.OFFICIAL,
        "2401",
        True,
    )
    assert not olle.has_usable_password()
    (message,) = mailoutbox
    assert message.to == ["olle@nordmaling.example"]
    assert message.subject == "Ditt konto i Servicepunkter"
    assert "har bjudit in dig till Servicepunkter" in message.body
    assert "Länken fungerar i 7 dagar och bara en gång" in message.body
    # Only the token's hash is stored.
    token = link_in(message).rstrip("/").rsplit("/", 1)[1]
    assert token not in Invitation.objects.get(user=olle).token_hash
    page = client.get(reverse("accounts:user_detail", args=[olle.pk]))
    assert "Inbjuden: har inte valt lösenord än" in page.content.decode()


def test_the_invitation_email_is_in_the_language_chosen_for_the_invitee(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)

    invite(client, sent, language="en")

    assert mailoutbox[0].subject == "Your account in Servicepunkter"
    assert "has invited you to Servicepunkter" in mailoutbox[0].body


def test_the_invitee_sets_a_password_from_the_link_once_and_is_signed_in(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    invite(client, sent)
    link = path_of(link_in(mailoutbox[0]))
    invitee = Client()

    response = invitee.get(link)
    assert response["Location"] == reverse("accounts:invitation_password")
    page = invitee.get(response["Location"])
    assert "Välj ditt lösenord" in page.content.decode()
    response = invitee.post(
        reverse("accounts:invitation_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == reverse("start")
    assert invitee.get("/").context["user"].email == "olle@nordmaling.example"
    assert User.objects.get(email="olle@nordmaling.example").check_password(
        NEW_PASSWORD
    )
    # Used once: the same link no longer works, for anyone.
    again = Client().get(link)
    assert "Länken gäller inte längre" in again.content.decode()


def test_a_password_against_the_rules_is_refused_and_the_link_still_works(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    invite(client, sent)
    invitee = Client()
    invitee.get(path_of(link_in(mailoutbox[0])))

    response = invitee.post(
        reverse("accounts:invitation_password"),
        {"new_password1": "kort", "new_password2": "kort"},
    )

    assert response.status_code == 200
    assert "minst 12 tecken" in response.content.decode()
    assert not User.objects.get(email="olle@nordmaling.example").has_usable_password()
    assert Invitation.objects.usable().count() == 1


def test_an_invitation_older_than_seven_days_no_longer_works(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    invite(client, sent)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=7, hours=1))

    response = Client().get(path_of(link_in(mailoutbox[0])), follow=True)

    assert "Länken gäller inte längre" in response.content.decode()
    page = client.get(
        reverse("accounts:user_list"),
    ).content.decode()
    assert "Inbjudan har gått ut" in page


def test_sending_the_invitation_again_replaces_the_earlier_link(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    invite(client, sent)
    olle = User.objects.get(email="olle@nordmaling.example")

    response = sent(
        lambda: client.post(reverse("accounts:invitation_resend", args=[olle.pk]))
    )

    assert response.status_code == 302
    first, second = (path_of(link_in(message)) for message in mailoutbox)
    assert first != second
    assert "Länken gäller inte längre" in Client().get(first).content.decode()
    assert Client().get(second)["Location"] == reverse("accounts:invitation_password")


def test_an_invitation_is_not_sent_again_to_someone_who_has_a_password(
    client, administrator, official, sent, mailoutbox
):
    client.force_login(administrator)

    response = sent(
        lambda: client.post(
            reverse("accounts:invitation_resend", args=[official.pk]), follow=True
        )
    )

    assert "har redan valt ett lösenord" in response.content.decode()
    assert mailoutbox == []


def test_an_email_address_in_use_is_refused_with_a_clear_message(
    client, administrator, official, sent, mailoutbox
):
    client.force_login(administrator)
    before = User.objects.count()

    response = invite(client, sent, email=official.email.upper())

    assert response.status_code == 200
    assert "Det finns redan en användare med den e-postadressen" in (
        response.content.decode()
    )
    assert User.objects.count() == before
    assert mailoutbox == []


def test_a_forged_post_choosing_the_system_owner_role_is_refused_and_changes_nothing(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    before = User.objects.count()

    response = invite(client, sent, role=Role.SYSTEM_OWNER)

    assert response.status_code == 200
    assert "Du kan inte ge den rollen." in response.content.decode()
    assert User.objects.count() == before
    assert mailoutbox == []


def test_a_forged_post_choosing_another_municipality_is_refused_and_changes_nothing(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    before = User.objects.count()

    response = invite(client, sent, municipality=municipality("2480").pk)

    assert response.status_code == 200
    assert "Du kan bara ge roller i Nordmalings kommun." in response.content.decode()
    assert User.objects.count() == before
    assert mailoutbox == []


def test_a_forged_role_change_to_system_owner_changes_nothing(
    client, administrator, official
):
    client.force_login(administrator)

    response = client.post(
        reverse("accounts:user_role_change", args=[official.pk]),
        {"role": Role.SYSTEM_OWNER, "municipality": official.municipality_id},
    )

    assert response.status_code == 200
    assert "Du kan inte ge den rollen." in response.content.decode()
    official.refresh_from_db()
    assert (official.role, official.is_superuser) == (Role.OFFICIAL, False)


def test_a_shop_owner_is_invited_for_outlets_of_the_own_municipality_only(
    client, administrator, sent, mailoutbox
):
    umea_shop = OutletFactory(municipality=municipality("2480"))
    client.force_login(administrator)

    response = invite(client, sent, role=Role.SHOP_OWNER, outlets=[umea_shop.pk])

    assert response.status_code == 200
    assert "Välj försäljningsställen i din egen kommun." in response.content.decode()
    assert mailoutbox == []


def test_an_administrator_changes_a_role_and_the_change_is_in_the_history_and_the_log(
    client, administrator, official
):
    shop = OutletFactory(name="Handlarn Nyåker")
    recorded_an_hour_ago()
    client.force_login(administrator)

    response = client.post(
        reverse("accounts:user_role_change", args=[official.pk]),
        {
            "role": Role.SHOP_OWNER,
            "municipality": official.municipality_id,
            "outlets": [shop.pk],
        },
    )

    assert response.status_code == 302
    official.refresh_from_db()
    assert official.role == Role.SHOP_OWNER
    assert list(official.outlets.all()) == [shop]
    page = client.get(reverse("accounts:user_detail", args=[official.pk]))
    assert history_rows(page)[0][1:] == (
        administrator.full_name,
        "Användare ändrades: försäljningsställen som drivs, roll Handläggare → "
        "Butiksinnehavare",
    )
    event = SecurityEvent.objects.get(kind=EventKind.USER_CHANGED)
    assert (event.user, event.municipality_id) == (
        administrator,
        official.municipality_id,
    )
    assert "role official -> shop_owner" in event.detail


def test_deactivation_ends_the_users_sessions_and_reactivation_does_not_revive_them(
    client, administrator, official
):
    colleague = Client()
    colleague.force_login(official)
    assert colleague.get("/").status_code == 200
    client.force_login(administrator)

    client.post(reverse("accounts:user_deactivate", args=[official.pk]))

    official.refresh_from_db()
    assert not official.is_active
    assert colleague.get("/")["Location"].startswith(reverse("accounts:login"))
    client.post(reverse("accounts:user_reactivate", args=[official.pk]))
    assert colleague.get("/")["Location"].startswith(reverse("accounts:login"))
    assert User.objects.get(pk=official.pk).is_active
    assert [
        event.detail
        for event in SecurityEvent.objects.filter(kind=EventKind.USER_CHANGED)
    ] == [f"{official.email}: reactivated", f"{official.email}: deactivated"]
    assert [event.is_active for event in UserEvent.objects.filter(pgh_obj=official)][
        -2:
    ] == [False, True]


def test_a_deactivated_users_invitation_no_longer_works(
    client, administrator, sent, mailoutbox
):
    client.force_login(administrator)
    invite(client, sent)
    olle = User.objects.get(email="olle@nordmaling.example")
    client.post(reverse("accounts:user_deactivate", args=[olle.pk]))

    response = Client().get(path_of(link_in(mailoutbox[0])))

    assert "Länken gäller inte längre" in response.content.decode()


def test_an_administrator_manages_neither_themselves_the_system_owner_nor_another_municipality(  # noqa: E501
    client, administrator, system_owner
):
    umea = UserFactory(municipality=municipality("2480"))
    client.force_login(administrator)

    for person in (administrator, system_owner, umea):
        for name in ("user_role_change", "user_deactivate"):
            response = client.post(reverse(f"accounts:{name}", args=[person.pk]))
            assert response.status_code == 404, (person, name)
    assert User.objects.filter(is_active=False).count() == 0


def test_the_system_owner_invites_an_administrator_of_any_municipality_and_a_regional_viewer(  # noqa: E501
    client, system_owner, sent, mailoutbox
):
    client.force_login(system_owner)

    invite(
        client,
        sent,
        email="admin@umea.example",
        role=Role.ADMINISTRATOR,
        municipality=municipality("2480").pk,
    )
    invite(
        client,
        sent,
        email="region@norrbotten.example",
        role=Role.REGIONAL_VIEWER,
        municipality="",
        county=county("25").pk,
    )

    umea = User.objects.get(email="admin@umea.example")
    region = User.objects.get(email="region@norrbotten.example")
    assert (umea.role, umea.municipality.code) == (Role.ADMINISTRATOR, "2480")
    assert (region.role, region.county.code, region.municipality) == (
        Role.REGIONAL_VIEWER,
        "25",
        None,
    )
    assert len(mailoutbox) == 2


def test_the_system_owner_neither_invites_nor_changes_officials(
    client, system_owner, official, sent, mailoutbox
):
    client.force_login(system_owner)

    response = invite(client, sent, role=Role.OFFICIAL)
    change = client.get(reverse("accounts:user_role_change", args=[official.pk]))

    assert "Du kan inte ge den rollen." in response.content.decode()
    assert change.status_code == 404
    assert mailoutbox == []


def test_an_invited_administrator_sets_up_a_second_factor_at_first_sign_in(
    client, system_owner, sent, mailoutbox
):
    client.force_login(system_owner)
    invite(client, sent, role=Role.ADMINISTRATOR)
    invitee = Client()
    invitee.get(path_of(link_in(mailoutbox[0])))

    invitee.post(
        reverse("accounts:invitation_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert invitee.get("/")["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_an_official_invites_the_shop_owner_from_the_outlets_page(
    client, official, sent, mailoutbox
):
    shop = OutletFactory(name="Handlarn Rundvik")
    client.force_login(official)
    page = client.get(shop.get_absolute_url()).content.decode()
    invite_url = reverse("accounts:shop_owner_invite", args=[shop.pk])
    assert invite_url in page

    response = sent(
        lambda: client.post(
            invite_url,
            {
                "full_name": "Rut Rundvik",
                "email": "rut@rundvik.example",
                "language": "sv",
            },
        )
    )

    assert response["Location"] == shop.get_absolute_url()
    rut = User.objects.get(email="rut@rundvik.example")
    assert (rut.role, list(rut.outlets.all())) == (Role.SHOP_OWNER, [shop])
    assert "som butiksinnehavare" in mailoutbox[0].body
    assert "Rut Rundvik" in client.get(shop.get_absolute_url()).content.decode()


def test_an_official_invites_no_shop_owner_for_another_municipalitys_outlet(
    client, official
):
    umea_shop = OutletFactory(municipality=municipality("2480"))
    client.force_login(official)

    response = client.post(
        reverse("accounts:shop_owner_invite", args=[umea_shop.pk]),
        {"full_name": "X", "email": "x@umea.example", "language": "sv"},
    )

    assert response.status_code == 404
    assert not User.objects.filter(email="x@umea.example").exists()


def test_the_users_page_lists_invited_and_inactive_users_with_links_to_their_pages(
    client, administrator
):
    UserFactory(full_name="Ina Inaktiv", is_active=False)
    client.force_login(administrator)

    page = client.get(reverse("accounts:user_list")).content.decode()

    assert "Bjud in en användare" in page
    assert "Ina Inaktiv" in page and "Inaktiv</span>" in page
