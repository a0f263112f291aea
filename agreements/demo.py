"""Demo agreements of Nordmaling's five service points, in different states: in
force, under notice, waiting for signature and in draft. Dates follow today. The
parties, organisation numbers and signatories are invented."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from stdnum import luhn

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from agreements.documents import signing_certificate_create, signing_certificate_path
from agreements.models import Agreement, Party, Service
from agreements.services import (
    ServiceLine,
    agreement_create,
    agreement_give_notice,
    agreement_mark_ready,
    agreement_sign,
    delegation_set,
    party_confirm_bank_details,
    party_save,
    payout_approve,
    payout_mark_paid,
    service_catalogue_seed,
)
from agreements.services.clauses import (
    agreement_clause_add,
    agreement_clause_move,
    agreement_clauses_seed,
)
from outlets.services import municipality_organisation_number_set

# Service point -> (party, organisation number, signatory, state, start in years before
# this year, initial term months, extension months). Dates follow today, so something
# is always in force, under notice, waiting for signature and in draft.
DEMO_AGREEMENTS = [
    ("Pers Livs", "Pers Livs AB", "5560360793", "Per Lindberg", "in_force", 1, 36, 12),
    (
        "ICA Lundins",
        "Lundins Livs AB",
        "5561234567",
        "Eva Lundin",
        "in_force",
        2,
        36,
        12,
    ),
    (
        "Handlarn Nyåker",
        "Nyåkers Handel HB",
        "9696941234",
        "Ingrid Lindström",
        "notice",
        3,
        24,
        12,
    ),
    (
        "Norrfors Bageri",
        "Norrfors Bageri ek. för.",
        "7696001234",
        "Lars Nilsson",
        "ready",
        0,
        12,
        12,
    ),
    (
        "Handlarn Rundvik",
        "Rundviks Lanthandel AB",
        "5569876543",
        "Ingrid Öberg",
        "draft",
        0,
        36,
        12,
    ),
]


@dataclass(frozen=True)
class SignedAgreement:
    """A demo agreement signed by both sides, and the owner who signed it (None when
    the owner has no account and signed on paper)."""

    agreement: Agreement
    owner: object


def seed_agreements(nordmaling, outlets, users):
    """The service points' agreements, each taken as far as its state says; yields
    each new agreement signed by both sides, for the later apps to follow up.

    A generator: what the caller does with one agreement (its follow-ups) happens
    before the next is created, as a municipality would work through them.
    """
    demo_signing_certificate()
    service_catalogue_seed(municipality=nordmaling)
    demo_agreement_text(nordmaling, users[Role.ADMINISTRATOR])
    catalogue = list(Service.objects.filter(municipality=nordmaling).order_by("pk"))
    official = users[Role.OFFICIAL]
    colleague = second_official(official)
    demo_delegations(users[Role.ADMINISTRATOR], official, colleague)
    for index, row in enumerate(DEMO_AGREEMENTS):
        name, signatory, state = row[0], row[3], row[4]
        outlet = outlets[name]
        if Agreement.objects.filter(outlet=outlet).exists():
            continue
        party = _party(nordmaling, row, index, by=official, confirmed_by=colleague)
        agreement = _agreement_create(outlet, party, row, index, catalogue, official)
        if state == "draft":
            continue
        agreement_mark_ready(agreement=agreement, by=official)
        if state == "ready":
            continue
        owner = _agreement_sign(agreement, official, signatory)
        if state == "notice":
            agreement_give_notice(
                agreement=agreement,
                by=official,
                given_on=timezone.localdate() - timedelta(days=20),
                given_by=Agreement.NoticeBy.PARTY,
                reason="Ägaren går i pension och butiken säljs.",
            )
        yield SignedAgreement(agreement, owner)


# Invented, with a valid check digit: the demo claims no real municipality's number.
DEMO_MUNICIPALITY_ORGANISATION_NUMBER = "212000-2452"
DEMO_OWN_CLAUSE = (
    "Skyltning och information",
    "Servicepunkten skyltar med den gemensamma servicepunktsskylten väl synlig från "
    "vägen och håller kommunens informationsmaterial tillgängligt i butiken.\n\n"
    "Kommunen tillhandahåller skylten och materialet utan kostnad och berättar i "
    "sina egna kanaler vad servicepunkten erbjuder.",
)


def demo_agreement_text(nordmaling, administrator):
    """The municipality's organisation number and agreement text: the default
    clauses and one of its own, about the common service-point sign."""
    if not nordmaling.organisation_number:
        municipality_organisation_number_set(
            municipality=nordmaling,
            by=administrator,
            organisation_number=DEMO_MUNICIPALITY_ORGANISATION_NUMBER,
        )
        nordmaling.refresh_from_db()
    clauses = agreement_clauses_seed(municipality=nordmaling)
    title, text = DEMO_OWN_CLAUSE
    if not any(clause.title == title for clause in clauses):
        clause = agreement_clause_add(
            municipality=nordmaling, by=administrator, title=title, text=text
        )
        # After the insurance clause: the practical clauses first, the legal last.
        for _ in range(3):
            clause = agreement_clause_move(
                clause=clause, by=administrator, direction="up"
            )


def second_official(official):
    """The demo's other official of the municipality: the attestation rules need two."""
    return (
        User.objects.municipal_staff()
        .filter(role=Role.OFFICIAL, municipality_id=official.municipality_id)
        .exclude(pk=official.pk)
        .order_by("pk")
        .first()
    )


def demo_delegations(administrator, official, colleague):
    """The delegation order: the first official signs up to the recommended highest
    compensation, the second up to 40 000 kr."""
    delegation_set(user=official, max_annual_compensation=50_000, by=administrator)
    if colleague is not None:
        delegation_set(user=colleague, max_annual_compensation=40_000, by=administrator)


def _party(nordmaling, row, index, *, by, confirmed_by):
    """The party of the row, created unless the municipality has it already; its
    bank details entered by one official and confirmed by the other."""
    _name, party_name, number, signatory, *_rest = row
    number = number[:9] + luhn.calc_check_digit(number[:9])
    found = Party.objects.filter(
        municipality=nordmaling, organisation_number__startswith=number[:6]
    ).first()
    if found:
        return found
    digits = f"5{index:02d}{1000 + index:04d}"
    party = party_save(
        party=Party(
            name=party_name,
            organisation_number=number,
            bankgiro=f"{digits[:4]}-{digits[4:]}{luhn.calc_check_digit(digits)}",
            signatory_name=signatory,
            signatory_title="Ägare",
        ),
        by=by,
    )
    if confirmed_by is not None:
        party = party_confirm_bank_details(party=party, by=confirmed_by)
    return party


def _agreement_create(outlet, party, row, index, catalogue, official):
    """The agreement of the row in draft, decided the autumn before it starts."""
    *_first, years_ago, initial, extension = row
    today = timezone.localdate()
    return agreement_create(
        by=official,
        outlet=outlet,
        party=party,
        version_fields={
            "decision_registration_number": f"KS {today.year - years_ago - 1}/"
            f"{40 + index}",
            "decision_body": "Kommunstyrelsen",
            "decision_date": date(today.year - years_ago - 1, 11, 20),
            "decision_paragraph": str(180 + index),
            "space": "Mötesplats med bord och informationsställ vid entrén.",
            "starts_on": date(today.year - years_ago, 1, 1),
            "initial_term_months": initial,
            "extension_months": extension,
            "notice_period_months": 3,
            "decision_lead_days": 30,
        },
        services=[ServiceLine(service, 10_000) for service in catalogue[:4]],
    )


def _agreement_sign(agreement, official, signatory):
    """Both sides sign: the owner with their account, or on paper (a scan) when the
    outlet's owner has none. Returns the signing owner, or None."""
    agreement_sign(
        agreement=agreement,
        by=official,
        side="municipality",
        name=official.full_name,
        title="Näringslivsutvecklare",
        password=DEMO_PASSWORD,
    )
    owner = agreement.outlet.owners.first()
    if owner:
        agreement_sign(
            agreement=agreement,
            by=owner,
            side="party",
            name=owner.full_name,
            title="Ägare",
            password=DEMO_PASSWORD,
        )
    else:
        agreement_sign(
            agreement=agreement,
            by=official,
            side="party",
            name=signatory,
            title="Ägare",
            paper_scan=ContentFile(DEMO_SCAN, name="scan.pdf"),
        )
    agreement.refresh_from_db()
    return owner


def payouts_settle(agreement, *, by):
    """The payouts due before today approved and paid where their condition holds:
    approved by the official who did not draft the agreement (the attestation
    rules), paid by `by`."""
    approver = by
    if agreement.created_by_id == by.pk:
        approver = second_official(by) or by
    for payout in agreement.payouts.filter(due_on__lt=timezone.localdate()):
        if payout.condition_holds:
            payout_approve(payout=payout, by=approver)
            payout_mark_paid(payout=payout, by=by)


# A one-page PDF standing in for the scan of a paper signature in the demo (a
# blank page, but a PDF that reads as one: scans are checked).
DEMO_SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n"
    b"0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def demo_signing_certificate():
    """A self-signed certificate at the configured path, so demo agreements are
    sealed. Only ever run with DEBUG on (seed_demo refuses otherwise)."""
    path = signing_certificate_path()
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        signing_certificate_create(
            path=path,
            passphrase=settings.SIGNING_CERTIFICATE_PASSPHRASE,
            common_name="Servicepunkter demo (självsignerat)",
            organisation="Nordmalings kommun",
        )
