"""The register extract of the demo's shop owner (issue 15): what the app holds
about Per Lindberg of Pers Livs."""

import json
from subprocess import run

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import Role, User
from servicepunkter.management.commands.seed_demo import demo_seed

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_world(module_db):
    """The demo, seeded once for the module; its stored files' folder."""
    with module_db.building():
        demo_seed()
    return module_db.media_root


def demo_user(role):
    return User.objects.get(
        email=next(demo.email for demo in DEMO_USERS if demo.role == role)
    )


def make_extract(client, person, file_format):
    return client.post(
        reverse("privacy:extract_export", args=["user", person.pk]),
        {"format": file_format},
    )


def test_the_demo_shop_owners_extract_lists_what_the_app_holds_about_them(
    client, demo_world
):
    owner = demo_user(Role.SHOP_OWNER)
    client.force_login(demo_user(Role.ADMINISTRATOR))

    data = json.loads(make_extract(client, owner, "json").content)

    found = {
        table["model"]: {
            (item["field"], item["value"])
            for row in table["rows"]
            for item in row["data"]
        }
        for table in data["records"]
    }
    assert ("accounts.User.email", "butik@perslivs.example") in found["accounts.User"]
    assert (
        "accounts.User_outlets.user",
        "Per Lindberg",
    ) in found["accounts.User_outlets"]
    outlets_run = next(
        t for t in data["records"] if t["table"] == "försäljningsställen som drivs"
    )
    assert outlets_run["rows"][0]["record"] == "Per Lindberg – Pers Livs"
    # The party he signs for, found by his name, and his signature by his account.
    assert ("agreements.Party.signatory_name", "Per Lindberg") in found[
        "agreements.Party"
    ]
    assert ("agreements.Party.name", "Pers Livs AB") in found["agreements.Party"]
    assert ("agreements.Signature.user", "Per Lindberg") in found[
        "agreements.Signature"
    ]
    assert (
        "followup.DialogueMeeting.participants",
        "Johan Berg (kommunen), Per Lindberg (Pers Livs AB)",
    ) in found["followup.DialogueMeeting"]
    assert {entry["record"] for entry in data["history"]} >= {"användare"}


def test_the_demo_shop_owners_extract_as_pdf_reads_the_same(
    client, demo_world, tmp_path
):
    owner = demo_user(Role.SHOP_OWNER)
    client.force_login(demo_user(Role.ADMINISTRATOR))

    response = make_extract(client, owner, "pdf")

    # Kept beside the browser tests' screenshots, to look at.
    folder = settings.BASE_DIR / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "register-extract-demo-shop-owner.pdf"
    path.write_bytes(response.content)
    text = run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
    text = " ".join(text.split())
    for expected in (
        "Registerutdrag",
        "butik@perslivs.example",
        "Pers Livs AB",
        "Johan Berg (kommunen), Per Lindberg (Pers Livs AB)",
        "Karin Holm",
    ):
        assert expected in text


def test_the_demo_shop_owner_erased_keeps_only_the_public_records_naming_him(
    client, demo_world, tmp_path, settings
):
    import shutil

    from django.core.management import call_command

    from agreements.models import Agreement
    from agreements.tests.test_documents import pdf_text
    from privacy.erasure import user_erase
    from privacy.tests.test_erasure import personal_values_left

    shutil.copytree(demo_world, settings.MEDIA_ROOT, dirs_exist_ok=True)
    owner = demo_user(Role.SHOP_OWNER)
    administrator = demo_user(Role.ADMINISTRATOR)
    agreement = Agreement.objects.signed().get(outlet__owners=owner)
    # Erasure waits for the agreement to end.
    Agreement.objects.filter(pk=agreement.pk).update(ends_on="2026-03-31")

    user_erase(user=owner, by=administrator, reason="Butiken har sålts")

    # Outside the signed agreement (its signature, version and party) only the
    # minutes of the annual dialogue he took part in name him: a public record
    # the registry keeps (followup.DialogueMeeting.participants).
    assert sorted(
        personal_values_left(owner.pk, ["butik@perslivs.example", "Per Lindberg"])
    ) == [
        ("followup_dialoguemeeting", "Per Lindberg"),
        ("followup_dialoguemeetingevent", "Per Lindberg"),
    ]
    # He cannot sign in (trying leaves a failed attempt with the address typed).
    response = client.post(
        reverse("accounts:login"),
        {"username": "butik@perslivs.example", "password": DEMO_PASSWORD},
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    version = agreement.versions.filter(signed_at__isnull=False).first()
    with version.signed_document.open("rb") as file:
        assert "Per Lindberg" in pdf_text(tmp_path, file.read())
    call_command("verify_agreement_pdfs")
