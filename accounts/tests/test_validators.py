"""Password rules as ASVS level 2 asks (issue 13)."""

import pytest
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from accounts.tests.factories import TEST_PASSWORD
from accounts.validators import PasswordStrengthValidator

pytestmark = pytest.mark.django_db


def refusals(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    ["kkkkkkkkkkkkkkkkkkkk", "Sommar2026!", "Välkommen123!", "Servicepunkter2026"],
)
def test_guessable_passwords_are_refused_with_a_swedish_hint(password):
    with pytest.raises(ValidationError) as refused:
        PasswordStrengthValidator().validate(password)
    (message,) = refused.value.messages
    assert message.startswith("Lösenordet är för lätt att gissa.")


def test_repeated_characters_get_a_hint_about_repetition():
    with pytest.raises(ValidationError) as refused:
        PasswordStrengthValidator().validate("kkkkkkkkkkkkkkkkkkkk")
    assert "Upprepade tecken" in refused.value.messages[0]


def test_a_password_from_the_users_own_details_is_refused(official):
    password = "nordmaling1234"  # from the address official@nordmaling.example
    PasswordStrengthValidator().validate(password)  # unknown to zxcvbn alone
    assert official.email.endswith("@nordmaling.example")

    assert "Lösenordet är för lätt att gissa." in " ".join(refusals(password, official))


def test_eleven_characters_are_too_few():
    assert (
        "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken."
        in refusals("q7#Lm2vXp9w")
    )


@pytest.mark.parametrize(
    "password",
    [
        "korsord tallbarr cykelpump",
        "ett-nytt-lösenord-2026",
        "hjortron i november smakar",
        "84629175306184",  # numbers only: no composition rules
        "Xq7#mP2v!Lr9",
    ],
)
def test_passphrases_and_random_passwords_are_accepted(password, official):
    assert refusals(password, official) == []


def test_the_help_text_explains_the_rules_in_swedish():
    help_texts = " ".join(password_validators_help_texts())
    assert "minst 12 tecken" in help_texts
    assert "svårt att gissa" in help_texts


def test_the_reset_form_refuses_a_guessable_password(client, official):
    client.force_login(official)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Sommar2026!",
            "new_password2": "Sommar2026!",
        },
    )
    assert "Lösenordet är för lätt att gissa." in response.content.decode()
    official.refresh_from_db()
    assert official.check_password(TEST_PASSWORD)


def test_the_demo_password_would_be_refused_if_the_demo_users_were_checked(official):
    # seed_demo sets it directly; the published demo password is no secret anyway.
    assert refusals(DEMO_PASSWORD, official)
