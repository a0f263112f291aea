"""Demo data: Nordmaling municipality and the five service points of its 2010 project.

The outlets of Västerbotten come from the sample file in outlets/data, imported as a
municipality would import it. Coordinates of the villages and shops are approximate,
and the people, e-mail addresses and organisation details are invented.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from outlets.importing import OutletImporter, outlet_import_store, read_outlet_file
from outlets.models import County, Locality, Municipality, Outlet, OutletImport

DEMO_PASSWORD = "servicepunkt-demo"

# name, latitude, longitude (approximate)
LOCALITIES = [
    ("Nordmaling", 63.5683, 19.5018),
    ("Brattfors", 63.7000, 19.3500),
    ("Gräsmyr", 63.6400, 19.6700),
    ("Nyåker", 63.8000, 19.3300),
    ("Rundvik", 63.5330, 19.4330),
    ("Norrfors", 63.7200, 19.5000),
]

WEEKDAY_HOURS = "Mån–fre 9–19, lör 10–15"

# name, kind, locality, latitude, longitude, opening hours (positions approximate)
OUTLETS = [
    ("Pers Livs", Outlet.Kind.GROCERY, "Brattfors", 63.7000, 19.3500, WEEKDAY_HOURS),
    (
        "ICA Lundins",
        Outlet.Kind.GROCERY_FULL,
        "Gräsmyr",
        63.6400,
        19.6700,
        "Mån–fre 8–20, lör–sön 10–18",
    ),
    ("Handlarn Nyåker", Outlet.Kind.GROCERY, "Nyåker", 63.8000, 19.3300, WEEKDAY_HOURS),
    (
        "Handlarn Rundvik",
        Outlet.Kind.GROCERY,
        "Rundvik",
        63.5330,
        19.4330,
        WEEKDAY_HOURS,
    ),
    (
        "Norrfors Bageri",
        Outlet.Kind.OTHER,
        "Norrfors",
        63.7200,
        19.5000,
        "Tis och tors 10–16, lör 10–14",
    ),
]

VASTERBOTTEN_SAMPLE = (
    settings.BASE_DIR / "outlets" / "data" / "outlets-vasterbotten-excel-sv.csv"
)


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str


MUNICIPAL_DEMO_ROLES = {Role.ADMINISTRATOR, Role.OFFICIAL, Role.SHOP_OWNER}

DEMO_USERS = [
    DemoUser(
        "systemagare@servicepunkter.example", "Sara Systemägare", Role.SYSTEM_OWNER
    ),
    DemoUser("administrator@nordmaling.example", "Karin Holm", Role.ADMINISTRATOR),
    DemoUser("handlaggare@nordmaling.example", "Johan Berg", Role.OFFICIAL),
    DemoUser("butik@perslivs.example", "Per Lindberg", Role.SHOP_OWNER),
    DemoUser("region@vasterbotten.example", "Maria Ek", Role.REGIONAL_VIEWER),
]


def import_vasterbotten_sample():
    """Västerbotten's outlets, neighbours included: people shop across borders."""
    if OutletImport.objects.filter(file_name=VASTERBOTTEN_SAMPLE.name).exists():
        return
    dataset = read_outlet_file(
        VASTERBOTTEN_SAMPLE.name, VASTERBOTTEN_SAMPLE.read_bytes()
    )
    outlet_import_store(
        OutletImporter(dataset).plan(), file_name=VASTERBOTTEN_SAMPLE.name
    )


@transaction.atomic
def demo_seed() -> None:
    """Create or refresh the demo; running it again changes nothing."""
    nordmaling = Municipality.objects.get(code="2401")
    import_vasterbotten_sample()
    localities = {}
    for name, latitude, longitude in LOCALITIES:
        localities[name], _ = Locality.objects.update_or_create(
            municipality=nordmaling,
            name=name,
            defaults={"latitude": latitude, "longitude": longitude},
        )
    outlets = {}
    for name, kind, locality, latitude, longitude, hours in OUTLETS:
        outlets[name], _ = Outlet.objects.update_or_create(
            municipality=nordmaling,
            name=name,
            defaults={
                "kind": kind,
                "locality": localities[locality],
                "latitude": latitude,
                "longitude": longitude,
                "opening_hours": hours,
            },
        )
    users = {}
    for demo in DEMO_USERS:
        user = User.objects.filter(email__iexact=demo.email).first() or User(
            email=demo.email
        )
        user.full_name = demo.full_name
        user.role = demo.role
        user.is_superuser = demo.role == Role.SYSTEM_OWNER
        user.municipality = nordmaling if demo.role in MUNICIPAL_DEMO_ROLES else None
        user.county = (
            County.objects.get(code="24") if demo.role == Role.REGIONAL_VIEWER else None
        )
        user.is_active = True
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        if demo.role == Role.SHOP_OWNER:
            user.outlets.set([outlets["Pers Livs"]])
        users[demo.role] = user
    # Deliveries first: the owners' yearly reports state what the log holds.
    seed_deliveries(outlets, users)
    seed_agreements(nordmaling, outlets, users)
    seed_activities_and_trainings(nordmaling, outlets, users)


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


def seed_agreements(nordmaling, outlets, users):
    """Agreements of the five service points in different states, with payouts."""
    from stdnum import luhn

    from agreements.models import Agreement, Party, Service
    from agreements.services import (
        ServiceLine,
        agreement_create,
        agreement_give_notice,
        agreement_mark_ready,
        agreement_sign,
        party_save,
        payout_approve,
        payout_mark_paid,
        service_catalogue_seed,
    )

    demo_signing_certificate()
    service_catalogue_seed(municipality=nordmaling)
    catalogue = list(Service.objects.filter(municipality=nordmaling).order_by("pk"))
    official = users[Role.OFFICIAL]
    today = timezone.localdate()
    for index, row in enumerate(DEMO_AGREEMENTS):
        name, party_name, number, signatory, state, years_ago, initial, extension = row
        outlet = outlets[name]
        if Agreement.objects.filter(outlet=outlet).exists():
            continue
        number = number[:9] + luhn.calc_check_digit(number[:9])
        party = Party.objects.filter(
            municipality=nordmaling, organisation_number__startswith=number[:6]
        ).first() or party_save(
            party=Party(
                name=party_name,
                organisation_number=number,
                bankgiro=f"{5000 + index}-{1000 + index}",
                signatory_name=signatory,
                signatory_title="Ägare",
            ),
            by=official,
        )
        agreement = agreement_create(
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
        if state == "draft":
            continue
        agreement_mark_ready(agreement=agreement, by=official)
        if state == "ready":
            continue
        agreement_sign(
            agreement=agreement,
            by=official,
            side="municipality",
            name=official.full_name,
            title="Näringslivsutvecklare",
            password=DEMO_PASSWORD,
        )
        owner = outlet.owners.first()
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
        if state == "notice":
            agreement_give_notice(
                agreement=agreement,
                by=official,
                given_on=today - timedelta(days=20),
                given_by=Agreement.NoticeBy.PARTY,
                reason="Ägaren går i pension och butiken säljs.",
            )
        # Past years followed up, except one overdue; payouts paid where they may be.
        seed_followups(
            agreement, official, owner, today, leave_overdue=name == "ICA Lundins"
        )
        for payout in agreement.payouts.filter(due_on__lt=today):
            if payout.condition_holds:
                payout_approve(payout=payout, by=official)
                payout_mark_paid(payout=payout, by=official)


# What the shops wrote, year after year (invented).
DEMO_REPORT = {
    "worked_well": "Paketutlämningen har gett många nya kunder, särskilt på lördagar.",
    "problems": "Den publika datorn var trasig i tre veckor under våren.",
    "needs_and_wishes": "Bättre skyltning från vägen och en ny anslagstavla.",
    "suggestions": "Inköpsresa till Umeå före jul tillsammans med byalaget.",
    "planned_activities": "Kaffekväll med byalaget, sommarmarknad och krisövning.",
    "visitors_counting": "estimated",
    "customer_wishes": "Kontantuttag, paketutlämning och inköpsresor.",
}


def seed_followups(agreement, official, owner, today, *, leave_overdue):
    """The agreement's follow-ups; those past their due date completed with notes
    and figures, except (when asked) the latest, which stays overdue."""
    from followup.models import ChecklistCriterion, FollowUp, OwnerReport
    from followup.services import (
        CheckedCriterion,
        action_add,
        followup_complete,
        followups_create_for,
        meeting_save,
        report_accept,
        report_save,
        report_submit,
        site_visit_save,
    )

    followups_create_for(agreement=agreement, today=today)
    past_due = list(agreement.followups.filter(due_on__lt=today))
    if leave_overdue and past_due:
        overdue = past_due.pop()
        if owner:
            report_save(followup=overdue, by=owner, data=DEMO_REPORT)
    criteria = ChecklistCriterion.objects.filter(municipality=agreement.municipality)
    for followup in past_due:
        figures = {
            **DEMO_REPORT,
            "visitors_per_week": 380 + 20 * followup.agreement_year,
            "computer_sessions": 40 + 5 * followup.agreement_year,
            "parcels_handled": 1200 + 150 * followup.agreement_year,
            "home_deliveries": logged_deliveries(
                agreement.outlet, followup.period_start, followup.period_end
            ),
            "activities_held": 4,
            "meeting_place_uses": 60,
        }
        if owner:
            report_save(followup=followup, by=owner, data=figures)
            report_submit(followup=followup, by=owner)
        else:
            # The owner has no account: the report came on paper and was typed in.
            OwnerReport.objects.create(
                followup=followup,
                status=OwnerReport.Status.SUBMITTED,
                submitted_at=timezone.now(),
                **figures,
            )
        report_accept(followup=followup, by=official)
        held_on = followup.period_end - timedelta(days=40)
        meeting_save(
            followup=followup,
            by=official,
            held_on=held_on,
            participants=f"{official.full_name} (kommunen), "
            f"{agreement.party.signatory_name} ({agreement.party.name})",
            minutes="Gick igenom årets siffror och avtalets tjänster. Butiken vill "
            "ha bättre skyltning; kommunen ser över informationsstället.",
        )
        action_add(
            followup=followup,
            by=official,
            text="Ny skylt vid vägen",
            responsible="Kommunen",
            due_on=held_on + timedelta(days=60),
        )
        site_visit_save(
            followup=followup,
            by=official,
            visited_on=held_on,
            visitors=official.full_name,
            assessment="Välskött butik; informationsstället behöver fyllas på.",
            results=[
                CheckedCriterion(criterion, "ok")
                if index
                else CheckedCriterion(criterion, "not_ok", "Skylten är blekt.")
                for index, criterion in enumerate(criteria)
            ],
        )
        followup_complete(
            followup=followup,
            by=official,
            assessment="Servicepunkten levererar enligt avtalet.",
        )
        # Done in the year's own time, not on the day the demo is built.
        FollowUp.objects.filter(pk=followup.pk).update(
            completed_at=timezone.make_aware(
                datetime.combine(followup.period_end + timedelta(days=30), time(10))
            )
        )


# A one-page PDF standing in for the scan of a paper signature in the demo.
DEMO_SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_signing_certificate():
    """A self-signed certificate at the configured path, so demo agreements are
    sealed. Only ever run with DEBUG on (seed_demo refuses otherwise)."""
    from agreements.documents import (
        signing_certificate_create,
        signing_certificate_path,
    )

    path = signing_certificate_path()
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        signing_certificate_create(
            path=path,
            passphrase=settings.SIGNING_CERTIFICATE_PASSPHRASE,
            common_name="Servicepunkter demo (självsignerat)",
            organisation="Nordmalings kommun",
        )


# Home deliveries since the agreement began: outlet -> (years before this year,
# single deliveries logged or totals per month).
DEMO_DELIVERIES = {"Pers Livs": (1, "single"), "ICA Lundins": (2, "monthly")}


def seed_deliveries(outlets, users):
    """Home deliveries since each agreement began: Pers Livs logs each one, ICA
    Lundins reports a total per month. Household codes only; the costs are
    invented. The other outlets do not deliver."""
    from deliveries.models import Delivery, MonthlyDeliveryTotal
    from deliveries.services import delivery_save, monthly_total_save

    today = timezone.localdate()
    for name, (years_ago, kind) in DEMO_DELIVERIES.items():
        outlet = outlets[name]
        start = date(today.year - years_ago, 1, 1)
        if kind == "single" and not Delivery.objects.filter(outlet=outlet).exists():
            # Thursdays, one to two households a week.
            day = start + timedelta(days=(3 - start.weekday()) % 7)
            week = 0
            while day < today:
                for household in range(1 + (week % 3 == 0)):
                    delivery_save(
                        delivery=Delivery(
                            outlet=outlet,
                            delivered_on=day,
                            household_reference=f"H-{(week + household) % 6 + 1:03d}",
                            cost=250,
                            household_fees=20,
                        ),
                        by=users[Role.SHOP_OWNER],
                    )
                day += timedelta(days=7)
                week += 1
        if (
            kind == "monthly"
            and not MonthlyDeliveryTotal.objects.filter(outlet=outlet).exists()
        ):
            year, month, number = start.year, start.month, 0
            while (year, month) < (today.year, today.month):
                count = 14 + (number * 5) % 9
                monthly_total_save(
                    total=MonthlyDeliveryTotal(
                        outlet=outlet,
                        year=year,
                        month=month,
                        delivery_count=count,
                        cost=count * 160,
                        household_fees=count * 10,
                    ),
                    by=users[Role.OFFICIAL],
                )
                year, month, number = year + month // 12, month % 12 + 1, number + 1


def logged_deliveries(outlet, start, end):
    """The home deliveries the log holds for the outlet from `start` to `end` (whole
    months of totals), or None when it holds none: what the owner reports."""

    from deliveries.models import Delivery, MonthlyDeliveryTotal

    single = Delivery.objects.filter(
        outlet=outlet, delivered_on__range=(start, end)
    ).count()
    monthly = [
        total
        for total in MonthlyDeliveryTotal.objects.filter(
            outlet=outlet, year__range=(start.year, end.year)
        )
        if start <= date(total.year, total.month, 1) <= end
    ]
    if not single and not monthly:
        return None
    return single + sum(total.delivery_count for total in monthly)


def seed_activities_and_trainings(nordmaling, outlets, users):
    """Two activities at Pers Livs and two trainings of the service points' staff."""
    from followup.models import Activity, Training
    from followup.services import activity_save, training_save

    today = timezone.localdate()
    if not Activity.objects.filter(outlet=outlets["Pers Livs"]).exists():
        for days_ago, title, participants in [
            (60, "Fika och hjälp med BankID", 12),
            (20, "Byamöte om vinterväghållningen", 25),
        ]:
            activity_save(
                activity=Activity(
                    outlet=outlets["Pers Livs"],
                    held_on=today - timedelta(days=days_ago),
                    title=title,
                    participants=participants,
                ),
                by=users[Role.SHOP_OWNER],
            )
    if not Training.objects.filter(municipality=nordmaling).exists():
        in_force = [outlets["Pers Livs"], outlets["ICA Lundins"]]
        for days_ago, topic, organiser, count in [
            (150, Training.Topic.CRISIS, "Nordmalings kommun, krisberedskap", 4),
            (40, Training.Topic.FORMS, "Försäkringskassan och Skatteverket", 3),
        ]:
            training_save(
                training=Training(
                    held_on=today - timedelta(days=days_ago),
                    topic=topic,
                    organiser=organiser,
                    participant_count=count,
                ),
                outlets=in_force,
                by=users[Role.OFFICIAL],
            )
