"""A shop owner signs without the system owner's help, in the browser (issue 16,
point 5): an administrator invites the owner of Norrfors Bageri, whose agreement
waits for signature; on a phone the owner sets a password from the e-mail's link,
sees the agreement waiting on their start page and signs it. Then a renewal is
drafted (the agreement list shows it beside the figure in force, which it does not
change), made ready (the owner is e-mailed once), signed by the municipality in the
app and by the shop on paper, recorded by the official."""

import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from agreements.demo import DEMO_SCAN
from agreements.models import Agreement, Signature
from agreements.tests.test_browser import sign_out
from agreements.tests.test_browser_attestation import click, main_text

pytestmark = pytest.mark.browser

OUTLET = "Norrfors Bageri"
ADMINISTRATOR = "administrator@nordmaling.example"
OFFICIAL = "handlaggare@nordmaling.example"
OWNER = "lars@norrforsbageri.example"
OWNER_PASSWORD = "surdeg och kardemumma i bageriet"
PHONE = {"width": 390, "height": 844}
WAITING = "Väntar på din underskrift"


def said(browser, locator=None):
    """What the page's main part (or the located part) says, spacing as read."""
    text = (locator or browser.page.locator("main")).inner_text()
    return " ".join(text.replace("\xa0", " ").split())


def sign_in_app(browser, name, title, password, button):
    page = browser.page
    # The signatory is who is signed in, named on the page and never typed.
    assert f"Du skriver under som {name}." in said(browser)
    page.get_by_label("Titel:", exact=True).fill(title)
    page.get_by_label("Ditt lösenord").fill(password)
    click(browser, button)
    browser.check_page()


def test_an_invited_owner_signs_on_a_phone_and_a_renewal_is_signed_on_paper(
    browser, demo, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = browser.page
    agreement = Agreement.objects.get(outlet__name=OUTLET)
    assert agreement.state == Agreement.State.READY
    next_year = date(timezone.localdate().year + 1, 1, 1)

    # The administrator invites the shop owner from the agreement's page.
    browser.sign_in(ADMINISTRATOR, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    page.get_by_role("link", name="Bjud in butiksinnehavaren").click()
    page.wait_for_load_state()
    browser.check_page()
    page.get_by_label("Namn").fill("Lars Nilsson")
    page.get_by_label("E-postadress").fill(OWNER)
    click(browser, "Skicka inbjudan")
    assert f"En inbjudan har skickats till {OWNER}." in main_text(browser)
    sign_out(browser)
    (invitation,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", invitation.body)[0]

    # The owner, on a phone, sets a password and finds the agreement waiting.
    context = page.context.browser.new_context(viewport=PHONE, locale="sv-SE")
    try:
        owner = type(browser)(context.new_page(), browser.base_url)
        owner.page.goto(link)
        owner.check_page()
        owner.page.locator("input[name=new_password1]").fill(OWNER_PASSWORD)
        owner.page.locator("input[name=new_password2]").fill(OWNER_PASSWORD)
        click(owner, "Spara lösenordet och logga in")
        owner.check_page()
        waiting = owner.page.get_by_role("region", name=WAITING)
        assert said(owner, waiting).startswith(
            f"{WAITING} Avtal {agreement.reference}, {OUTLET}. Klart för "
            "underskrift; ingen av parterna har skrivit under än. Läs och skriv under"
        )
        owner.screenshot("owner-start-awaiting-signature-phone")

        waiting.get_by_role("link", name="Läs och skriv under").click()
        owner.page.wait_for_load_state()
        owner.check_page()
        assert owner.page.url.endswith(f"{agreement.get_absolute_url()}#sign-heading")
        sign_in_app(
            owner,
            "Lars Nilsson",
            "Ordförande",
            OWNER_PASSWORD,
            "Skriv under för servicepunkten",
        )
        assert "Din underskrift är registrerad." in said(owner)
        owner.goto("/")
        assert WAITING not in said(owner)
    finally:
        context.close()

    # The official signs for the municipality: the agreement is in force.
    browser.sign_in(OFFICIAL, DEMO_PASSWORD)
    browser.goto(agreement.get_absolute_url())
    sign_in_app(
        browser,
        "Johan Berg",
        "Näringslivsutvecklare",
        DEMO_PASSWORD,
        "Skriv under för kommunen",
    )
    text = said(browser)
    assert "Din underskrift är registrerad." in text
    assert "Status Gällande" in text
    assert "Ersättning per år 40 000 kr exkl. moms" in text

    # A renewal at 50 000 kr from next year: drafted, it changes no figure.
    page.get_by_text("Förnya avtalet", exact=True).click()
    page.get_by_label("Det förnyade avtalet börjar gälla").fill(next_year.isoformat())
    click(browser, "Påbörja förnyelsen")
    renewal = Agreement.objects.get(replaces=agreement)
    page.get_by_role("link", name="Ändra utkast").click()
    page.wait_for_load_state()
    page.get_by_label("Årlig ersättning").fill("50000")
    click(browser, "Spara utkast")
    browser.goto("/agreements/")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name=agreement.reference, exact=True)
    )
    assert said(browser, row.get_by_role("cell").last) == (
        f"40 000 kr Förnyelse under arbete: 50 000 kr från {next_year.isoformat()}"
    )
    browser.screenshot("agreement-list-renewal-under-work-desktop")
    page.set_viewport_size(PHONE)
    browser.check_page()
    # The table scrolls inside its box: show its last column, where the figure is.
    page.locator(".table-wrap").evaluate("box => { box.scrollLeft = box.scrollWidth }")
    browser.screenshot("agreement-list-renewal-under-work-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    # The budget and the start page commit what is in force, the renewal beside.
    browser.goto("/agreements/budget/")
    assert f"Förnyelse under arbete: 50 000 kr från {next_year.isoformat()}" in (
        said(browser)
    )
    browser.screenshot("budget-renewal-under-work-desktop")
    browser.goto("/")
    assert f"Förnyelse under arbete: 50 000 kr från {next_year.isoformat()}" in (
        said(browser)
    )
    browser.screenshot("start-official-renewal-under-work-desktop")
    browser.goto(f"/reports/?year={next_year.year}")
    assert f"Förnyelse under arbete: 50 000 kr från {next_year.isoformat()}" in (
        said(browser)
    )
    browser.screenshot("kpis-renewal-under-work-desktop")

    # Made ready, the renewal is e-mailed to the owner once; the municipality signs.
    browser.goto(renewal.get_absolute_url())
    click(browser, "Gör klart för underskrift")
    renewal.refresh_from_db()
    (request,) = mail.outbox[1:]
    assert request.to == [OWNER]
    assert request.subject == (
        f"Förnyat avtal {renewal.reference} för {OUTLET} väntar på din underskrift"
    )
    assert renewal.get_absolute_url() in request.body
    sign_in_app(
        browser,
        "Johan Berg",
        "Näringslivsutvecklare",
        DEMO_PASSWORD,
        "Skriv under för kommunen",
    )
    assert "Din underskrift är registrerad." in said(browser)

    # The shop signs on paper; the official records it from the renewal's page.
    page.get_by_text("Undertecknat på papper i stället").click()
    page.get_by_label("Undertecknat av:", exact=True).fill("Lars Nilsson")
    page.get_by_label("Titel:", exact=True).fill("Ordförande")
    page.get_by_label(
        "Inskannat undertecknat avtal (PDF, JPEG eller PNG)"
    ).set_input_files(
        {"name": "underskrift.pdf", "mimeType": "application/pdf", "buffer": DEMO_SCAN}
    )
    browser.check_page()
    click(browser, "Registrera underskriften på papper")
    browser.check_page()
    text = said(browser)
    assert "Underskriften på papper är registrerad." in text
    assert "Status Undertecknat, gäller ännu inte" in text
    assert "Undertecknat av Lars Nilsson för servicepunkten den " in text
    assert "(på papper)" in text
    browser.screenshot("renewal-signed-on-paper-desktop")
    renewal.refresh_from_db()
    assert renewal.state == Agreement.State.SIGNED
    party = renewal.first_version().signatures.get(side=Signature.Side.PARTY)
    assert party.method == Signature.Method.PAPER
    assert len(mail.outbox) == 2
