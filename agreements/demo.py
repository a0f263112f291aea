"""Demo agreements of Nordmaling's five service points, in different states: in
force, under notice, waiting for signature and in draft. Dates follow today. The
parties, organisation numbers and signatories are invented."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock

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
    payouts_plan,
    service_catalogue_seed,
)
from agreements.services.clauses import (
    agreement_clause_add,
    agreement_clause_move,
    agreement_clauses_seed,
)
from agreements.services.signed_documents import signed_document_process
from outlets.services import municipality_organisation_number_set

# Service point -> (party, organisation number, signatory, state, start on 1 January
# so many years from this year (None: today), initial term months, extension
# months). Signed agreements start on 1 January, so their agreement years are
# calendar years; the one waiting for signature starts today. Dates follow today, so
# something is always in force, under notice, waiting for signature and in draft.
# ICA Lundins' initial term (None here) ends with the current month: its notice
# deadline has passed and nothing is done about it, the warning the demo shows on
# purpose (see initial_term_months).
DEMO_AGREEMENTS = [
    ("Pers Livs", "Pers Livs AB", "5560360793", "Per Lindberg", "in_force", -1, 36, 12),
    (
        "ICA Lundins",
        "Lundins Livs AB",
        "5561234567",
        "Eva Lundin",
        "in_force",
        -2,
        None,
        12,
    ),
    (
        "Handlarn Nyåker",
        "Nyåkers Handel HB",
        "9696941234",
        "Ingrid Lindström",
        "notice",
        -3,
        24,
        12,
    ),
    (
        "Norrfors Bageri",
        "Norrfors Bageri ek. för.",
        "7696001234",
        "Lars Nilsson",
        "ready",
        None,
        12,
        12,
    ),
    (
        "Handlarn Rundvik",
        "Rundviks Lanthandel AB",
        "5569876543",
        "Ingrid Öberg",
        "draft",
        1,
        36,
        12,
    ),
]
DEMO_NOTICE_PERIOD_MONTHS = 3
DEMO_DECISION_LEAD_DAYS = 30
# Four services of the catalogue at 10 000 kr a year each.
DEMO_SERVICE_COUNT = 4
DEMO_SERVICE_FEE = 10_000


def initial_term_months(row, today):
    """The row's initial term; ICA Lundins' runs from 1 January two years ago to the
    end of the current month (36 months when the demo is built in December), so
    that its notice deadline, three months before, has always just passed."""
    return row[6] if row[6] is not None else 24 + today.month


@dataclass(frozen=True)
class Timeline:
    """When the municipality did what with one demo agreement: drafted three weeks
    before the board decides, made ready a week after the decision, signed by the
    municipality a week later and by the shop two days after that."""

    starts_on: date
    drafted_on: date
    decision_date: date
    ready_on: date
    municipality_signs_on: date
    party_signs_on: date


def demo_timeline(row, today) -> Timeline:
    """The row's dates. Signed agreements were decided on 20 November the year
    before they start and signed in the weeks after; the agreement waiting for
    signature starts today and was decided two weeks ago, so signed today it is
    signed on its first day; next year's draft goes to the board in three
    weeks."""
    state, years = row[4], row[5]
    starts_on = today if years is None else date(today.year + years, 1, 1)
    if state == "draft":
        decision = today + timedelta(days=21)
    elif state == "ready":
        decision = today - timedelta(days=14)
    else:
        decision = date(starts_on.year - 1, 11, 20)
    return Timeline(
        starts_on=starts_on,
        drafted_on=min(decision, today) - timedelta(days=21),
        decision_date=decision,
        ready_on=decision + timedelta(days=7),
        municipality_signs_on=decision + timedelta(days=14),
        party_signs_on=decision + timedelta(days=16),
    )


@contextmanager
def demo_clock(day):
    """Run the municipality's past work on the day it was done (10:00).

    The services stamp what they record with `timezone.now()`, and a signature can
    never be changed afterwards, so the demo sets the clock back while it replays
    the work instead of rewriting rows. Only the demo does this (seed_demo runs
    with DEBUG on only).
    """
    moment = timezone.make_aware(datetime.combine(day, time(10)))
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


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
    today = timezone.localdate()
    for index, row in enumerate(DEMO_AGREEMENTS):
        name, signatory, state = row[0], row[3], row[4]
        outlet = outlets[name]
        if Agreement.objects.filter(outlet=outlet).exists():
            continue
        timeline = demo_timeline(row, today)
        with demo_clock(timeline.drafted_on):
            party = _party(nordmaling, row, index, by=official, confirmed_by=colleague)
            agreement = _agreement_create(
                outlet, party, row, index, catalogue, official, timeline, today
            )
        if state == "draft":
            continue
        with demo_clock(timeline.ready_on):
            agreement_mark_ready(agreement=agreement, by=official)
        if state == "ready":
            continue
        owner = _agreement_sign(agreement, official, signatory, timeline)
        # Signed back then, its payouts were planned through its first period; the
        # periods since are planned as the daily job plans them.
        payouts_plan(agreement=agreement)
        if state == "notice":
            agreement_give_notice(
                agreement=agreement,
                by=official,
                given_on=today - timedelta(days=20),
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


def _agreement_create(outlet, party, row, index, catalogue, official, timeline, today):
    """The agreement of the row in draft, with the board's decision of its timeline."""
    decided = timeline.decision_date
    return agreement_create(
        by=official,
        outlet=outlet,
        party=party,
        version_fields={
            "decision_registration_number": f"KS {decided.year}/{40 + index}",
            "decision_body": "Kommunstyrelsen",
            "decision_date": decided,
            "decision_paragraph": str(180 + index),
            "space": "Mötesplats med bord och informationsställ vid entrén.",
            "starts_on": timeline.starts_on,
            "initial_term_months": initial_term_months(row, today),
            "extension_months": row[7],
            "notice_period_months": DEMO_NOTICE_PERIOD_MONTHS,
            "decision_lead_days": DEMO_DECISION_LEAD_DAYS,
        },
        services=[
            ServiceLine(service, DEMO_SERVICE_FEE)
            for service in catalogue[:DEMO_SERVICE_COUNT]
        ],
    )


def _agreement_sign(agreement, official, signatory, timeline):
    """Both sides sign on the days of the timeline, the municipality first: the
    owner with their account, or on paper (a scan) when the outlet's owner has
    none. Returns the signing owner, or None."""
    with demo_clock(timeline.municipality_signs_on):
        agreement_sign(
            agreement=agreement,
            by=official,
            side="municipality",
            name=official.full_name,
            title="Näringslivsutvecklare",
            password=DEMO_PASSWORD,
        )
    owner = agreement.outlet.owners.first()
    with demo_clock(timeline.party_signs_on):
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
    # The demo runs without a worker: its signed document is made here, by the
    # job's own service, so the demo's agreements have theirs at once.
    signed_document_process(version_id=agreement.versions.get(number=1).pk)
    agreement.refresh_from_db()
    return owner


def payouts_settle(agreement, *, by):
    """The payouts due before today approved and paid where their condition holds,
    on their own days: approved by the official who did not draft the agreement
    (the attestation rules), paid by `by`."""
    approver = by
    if agreement.created_by_id == by.pk:
        approver = second_official(by) or by
    for payout in agreement.payouts.filter(due_on__lt=timezone.localdate()):
        if payout.condition_holds:
            # Approved the week it fell due, paid on the day.
            with demo_clock(payout.due_on - timedelta(days=5)):
                payout_approve(payout=payout, by=approver)
            with demo_clock(payout.due_on):
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
