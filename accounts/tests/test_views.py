import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from outlets.tests.factories import municipality

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_user_signs_in_with_email_in_any_case(client, official):
    response = client.post(
        reverse("accounts:login"),
        {"username": "Official@Nordmaling.EXAMPLE", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"] == official


def test_wrong_password_is_refused_with_a_swedish_message(client, official):
    response = client.post(
        reverse("accounts:login"),
        {"username": official.email, "password": "wrong"},
    )
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord" in response.content.decode()


def test_five_failed_attempts_lock_the_account_with_a_swedish_page(client, official):
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": official.email, "password": "x"}
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": official.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 429
    assert "För många försök" in response.content.decode()


def test_sign_out_ends_the_session(client, official):
    client.force_login(official)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))


def test_password_reset_mails_a_swedish_link_that_sets_a_new_password(client, official):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "OFFICIAL@nordmaling.example"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == [official.email]
    assert message.subject == "Välj ett nytt lösenord för Servicepunkter"
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+)", message.body)[1]

    form_page = client.get(link, follow=True)
    new_password = "ett-nytt-lösenord-2026"
    done = client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert done["Location"] == reverse("accounts:password_reset_complete")
    official.refresh_from_db()
    assert official.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client,
):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@nowhere.example"}
    )
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client, official):
    client.force_login(official)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not-it",
            "new_password1": "ett-nytt-lösenord-2026",
            "new_password2": "ett-nytt-lösenord-2026",
        },
    )
    assert response.status_code == 200
    assert "Ditt gamla lösenord" in response.content.decode()
    official.refresh_from_db()
    assert official.check_password(TEST_PASSWORD)


def test_administrator_sees_the_users_of_their_own_municipality_only(
    client, administrator, official
):
    UserFactory(full_name="Umeå-handläggaren", municipality=municipality("2480"))
    client.force_login(administrator)

    page = client.get(reverse("accounts:user_list")).content.decode()

    assert official.full_name in page
    assert "Umeå-handläggaren" not in page


def test_user_list_runs_a_constant_number_of_queries(
    client, administrator, django_assert_max_num_queries
):
    UserFactory.create_batch(30)
    client.force_login(administrator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200


def test_shop_owner_cannot_open_the_django_admin(client, shop_owner):
    client.force_login(shop_owner)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    follow = client.get(response["Location"])
    assert "Webbplatsadministration" not in follow.content.decode()
    assert client.get("/admin/accounts/user/").status_code == 302


def test_administrator_cannot_open_the_django_admin_either(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_system_owner_opens_the_django_admin(client, system_owner):
    client.force_login(system_owner)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/outlets/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/outlets/"


def test_failed_attempts_for_another_address_do_not_lock_this_account(client, official):
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": "someone.else@kommun.example", "password": "x"},
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": official.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
