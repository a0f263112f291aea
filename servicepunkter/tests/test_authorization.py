"""The authorization table: every URL pattern, every role, GET and POST.

Each row names a URL pattern and, for every actor, the outcome of GET and of POST, per
object where the URL takes one: the actor's own, another shop owner's in the same
municipality, another municipality's in the same county, and another county's. A
forbidden POST must leave the database and the stored files as they were. A URL pattern
without a row fails.

The world (the actors and their outlets) is built once for the module, in a transaction
rolled back at its end; each case runs in a savepoint inside it (see `module_db`).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.two_factor import Client
from outlets.models import Partner
from outlets.tests.factories import OutletFactory, municipality

ACTORS = [
    "anonymous",
    "system_owner",
    "administrator",
    "official",
    "shop_owner",
    "regional_viewer",
]
PROJECT_APPS = [
    "accounts",
    "outlets",
    "agreements",
    "followup",
    "deliveries",
    "reminders",
    "programme",
    "reports",
    "analysis",
    "region",
    "public",
    "securitylog",
    "surveys",
    "calendarfeed",
    "statements",
]
OBJECTS = ["own", "other_owner", "other_municipality", "other_county"]

OK, LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, "login", 403, 404, 405
BAD_REQUEST = 400
# A redirect anywhere but to a login page: an action done, sending one back.
REDIRECTED = "redirected"
ADMIN_LOGIN = "admin-login"


def redirect(to):
    return ("redirect", to)


def every(outcome, **exceptions):
    """The same outcome for every actor, except those named."""
    return {actor: exceptions.get(actor, outcome) for actor in ACTORS}


def signed_in(outcome, **exceptions):
    """Anonymous visitors go to the login page; signed-in actors get `outcome`."""
    return every(outcome, anonymous=LOGIN, **exceptions)


@dataclass
class Row:
    name: str
    get: dict
    post: dict
    # The URL's kwargs, given the target object (None for pages without one).
    kwargs: object = None
    # Per actor, the outcome for each object in OBJECTS order (overrides get/post).
    per_object_get: dict = field(default_factory=dict)
    per_object_post: dict = field(default_factory=dict)


STAFF_SEE_BASE_DATA = {
    "anonymous": (LOGIN,) * 4,
    "system_owner": (OK,) * 4,
    "administrator": (OK,) * 4,
    "official": (OK,) * 4,
    "shop_owner": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "regional_viewer": (OK,) * 4,
}

# Localities, partners and the map are for staff; shop owners get 403.
STAFF_ONLY = signed_in(OK, shop_owner=FORBIDDEN)
STAFF_ONLY_NO_POST = signed_in(NOT_ALLOWED, shop_owner=FORBIDDEN)
STAFF_SEE_EVERY_MUNICIPALITYS = {
    actor: (outcome,) * 4 for actor, outcome in STAFF_ONLY.items()
}
# Administrators and officials keep their own municipality's register; an empty POST
# re-shows the form with its errors.
EDITORS = signed_in(FORBIDDEN, administrator=OK, official=OK)
EDITORS_OF_OWN_MUNICIPALITY = {
    actor: (outcome,) * 4 for actor, outcome in EDITORS.items()
} | {
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
    "official": (OK, OK, NOT_FOUND, NOT_FOUND),
}


IMPORTERS = signed_in(FORBIDDEN, administrator=OK, system_owner=OK)

# Agreements: the records of the own municipality, the county's regional viewers and
# the outlet's owner; everyone else finds nothing (404).
AGREEMENT_READERS = {
    "anonymous": (LOGIN,) * 4,
    "system_owner": (OK,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
    "official": (OK, OK, NOT_FOUND, NOT_FOUND),
    "shop_owner": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "regional_viewer": (OK, OK, OK, NOT_FOUND),
}
# The service point's side is signed by the outlet's own shop owner only.
PARTY_SIGNERS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "shop_owner": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}
# Changed only by the own municipality's administrators and officials.
AGREEMENT_EDITORS = {
    actor: (NOT_FOUND,) * 4 for actor in ACTORS if actor != "anonymous"
} | {
    "anonymous": (LOGIN,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
    "official": (OK, OK, NOT_FOUND, NOT_FOUND),
}
MANAGERS = signed_in(NOT_FOUND, administrator=OK, official=OK)


# The register extract: a municipality's administrators make it about its people,
# the system owner about anyone's; nobody else finds the page.
EXTRACT_MAKERS = dict.fromkeys(ACTORS, (FORBIDDEN,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "system_owner": (OK,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
}
EXTRACT_PAGE_NO_POST = signed_in(
    FORBIDDEN, system_owner=NOT_ALLOWED, administrator=NOT_ALLOWED
)


def owner_of(outlet):
    """The outlet's shop owner; one invented for an outlet that has none."""
    owner = outlet.owners.order_by("pk").first()
    return owner or UserFactory(
        shop_owner=True, municipality=outlet.municipality, outlets=[outlet]
    )


# A user's page: the administrators of the user's municipality, the system owner.
USERS_READERS = dict.fromkeys(ACTORS, (FORBIDDEN,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
    "system_owner": (OK,) * 4,
}
# Changing a shop owner: their municipality's administrators only.
USERS_MANAGERS = USERS_READERS | {"system_owner": (NOT_FOUND,) * 4}
# The actions on a user's page (POST only) find nobody one does not manage.
USERS_ACTIONS = {
    actor: (LOGIN,) * 4 if actor == "anonymous" else (NOT_FOUND,) * 4
    for actor in ACTORS
} | {"administrator": (OK, OK, NOT_FOUND, NOT_FOUND)}
# Their outlet's opening hours and phone: the shop owner's own page.
PUBLIC_FACTS_KEEPERS = dict.fromkeys(ACTORS, (FORBIDDEN,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "shop_owner": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}


def service_point_for(outlet):
    """A service point (an outlet with an agreement in force) beside the outlet, in
    its municipality: the public pages, the sign and the survey show only service
    points. With the survey's standard questions, so that a refused POST writes
    nothing."""
    from django.core.cache import cache

    from followup.tests.factories import signed_agreement
    from surveys.services import survey_questions_seed

    # Every case rolls back to the same public data versions inside the module's one
    # transaction: the selector's cache could answer with the previous case's point.
    cache.clear()
    name = f"Servicepunkt nära {outlet.name}"
    existing = outlet.municipality.outlets.filter(name=name).first()
    if existing:
        return existing
    point = OutletFactory(name=name, municipality=outlet.municipality)
    signed_agreement(point)
    survey_questions_seed(municipality=point.municipality)
    return point


# The public pages and the embeds: everyone reads them, signed in or not; they
# answer GET and HEAD only.
EVERYONE = every(OK)
EVERYONE_NO_POST = every(NOT_ALLOWED)
EVERYONE_EVERY_OBJECT = dict.fromkeys(ACTORS, (OK,) * 4)


def per_object(outcomes, **replace):
    """`outcomes` with each OK replaced, e.g. by the status of an invalid POST."""
    return {
        actor: tuple(replace.get("ok", OK) if o == OK else o for o in row)
        for actor, row in outcomes.items()
    }


def agreement_for(outlet):
    """A draft agreement for the outlet, its version with a document, and a
    planned payout: every object an agreement URL names."""
    from django.core.files.base import ContentFile

    from agreements.models import Agreement, AgreementVersion, Party, Payout

    agreement = Agreement.objects.filter(outlet=outlet).first()
    if agreement:
        return agreement
    party = Party.objects.create(
        municipality=outlet.municipality,
        name=f"{outlet.name} AB",
        organisation_number="556036-0793",
        bankgiro="123-4567",
        signatory_name="Per Lindberg",
        signatory_title="VD",
    )
    # A draft: it has no reference number until it is made ready.
    agreement = Agreement.objects.create(
        municipality=outlet.municipality, outlet=outlet, party=party
    )
    version = AgreementVersion(
        agreement=agreement,
        number=1,
        effective_on=date(2026, 1, 1),
        decision_registration_number="KS 2025/1",
        decision_body="Kommunstyrelsen",
        decision_date=date(2025, 12, 1),
        annual_compensation=40_000,
        starts_on=date(2026, 1, 1),
        initial_term_months=12,
        extension_months=12,
    )
    # A document to download, with the hash it is checked against; the version
    # stays a draft (a frozen document's hash would freeze it) for the draft's pages.
    document = b"%PDF-1.7 test"
    version.signed_document.save("test.pdf", ContentFile(document), save=False)
    version.signed_document_sha256 = hashlib.sha256(document).hexdigest()
    version.save()
    Payout.objects.create(
        agreement=agreement,
        agreement_year=1,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        due_on=date(2027, 1, 31),
        amount=40_000,
        vat_amount=10_000,
    )
    return agreement


def followup_for(outlet):
    """A follow-up of the outlet's agreement with its dialogue and one action."""
    from followup.models import AgreedAction, DialogueMeeting, FollowUp
    from followup.services import checklist_seed

    agreement = agreement_for(outlet)
    followup = FollowUp.objects.filter(agreement=agreement).first()
    if followup:
        return followup
    checklist_seed(municipality=outlet.municipality)
    followup = FollowUp.objects.create(
        agreement=agreement,
        agreement_year=1,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        due_on=date(2027, 3, 1),
    )
    meeting = DialogueMeeting.objects.create(
        followup=followup, held_on=date(2026, 10, 1), participants="Per Lindberg"
    )
    AgreedAction.objects.create(meeting=meeting, text="Skylt", responsible="Kommunen")
    AgreedAction.objects.create(
        meeting=meeting, text="Anslagstavla", party=AgreedAction.Party.SHOP
    )
    return followup


def shop_action_for(outlet):
    """The shop's agreed action in the outlet's follow-up."""
    return followup_for(outlet).meeting.actions.get(party="shop")


def site_photo_for(outlet):
    """A photo from the site visit of the outlet's follow-up."""
    from django.core.files.base import ContentFile

    from followup.models import SitePhoto, SiteVisit

    followup = followup_for(outlet)
    visit, _ = SiteVisit.objects.get_or_create(
        followup=followup,
        defaults={"visited_on": date(2026, 10, 1), "visitors": "Johan Berg"},
    )
    photo = visit.photos.first()
    if photo:
        return photo
    photo = SitePhoto(
        site_visit=visit,
        caption="Skylten vid vägen",
        thumbnail_width=1,
        thumbnail_height=1,
        added_by=UserFactory(),
    )
    photo.image.save("photo.jpg", ContentFile(b"\xff\xd8 test"), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8 test"), save=False)
    photo.save()
    return photo


# Follow-ups: read like agreements, except that shop owners have their own pages
# (the portal and the report) and find the officials' pages missing.
FOLLOWUP_READERS = AGREEMENT_READERS | {"shop_owner": (NOT_FOUND,) * 4}
REPORTERS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "shop_owner": (OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}


def service_for(outlet):
    from agreements.models import Service

    service, _ = Service.objects.get_or_create(
        municipality=outlet.municipality, name="Kommuninformation"
    )
    return service


def partner_for(outlet):
    """A village association active in the outlet's locality."""
    partner, _ = Partner.objects.get_or_create(
        municipality=outlet.municipality,
        name=f"Byalaget i {outlet.locality.name}",
        defaults={"kind": Partner.Kind.VILLAGE_ASSOCIATION},
    )
    partner.localities.add(outlet.locality)
    return partner


def strategic_locality_for(outlet):
    """The outlet's locality, classified strategic: a service point is chosen there."""
    from outlets.models import Locality

    Locality.objects.filter(pk=outlet.locality_id).update(
        classification=Locality.Classification.STRATEGIC,
        classification_motivation="Enda butiken i byn.",
    )
    return outlet.locality_id


def service_point_choice_for(outlet):
    """The recorded choice of the outlet as its strategic locality's service point."""
    from outlets.models import ServicePointChoice

    choice = ServicePointChoice.objects.create(
        locality_id=strategic_locality_for(outlet),
        chosen=outlet,
        reason="Längst öppettider.",
        decision_body="Kommunstyrelsen",
        decision_date=date(2025, 5, 12),
    )
    choice.considered.set([outlet])
    return choice


def contact_for(outlet):
    """A contact person of the outlet."""
    from outlets.models import OutletContact

    contact, _ = OutletContact.objects.get_or_create(
        outlet=outlet, name="Anna Ek", defaults={"email": "anna@ek.example"}
    )
    return contact


# Home deliveries: logged by the municipality's administrators and officials and by
# the outlet's own shop owner; an empty POST re-shows the form with its errors.
DELIVERY_RECORDERS = signed_in(FORBIDDEN, administrator=OK, official=OK, shop_owner=OK)
DELIVERY_EDITORS = AGREEMENT_EDITORS | {"shop_owner": (OK,) + (NOT_FOUND,) * 3}


def activity_for(outlet):
    from followup.models import Activity

    activity, _ = Activity.objects.get_or_create(
        outlet=outlet, held_on=date(2026, 4, 2), defaults={"title": "Fikaträff"}
    )
    return activity


def training_for(outlet):
    from followup.models import Training

    training, _ = Training.objects.get_or_create(
        municipality=outlet.municipality,
        held_on=date(2026, 5, 5),
        defaults={
            "topic": Training.Topic.CRISIS,
            "organiser": "Länsstyrelsen",
            "participant_count": 3,
        },
    )
    return training


def criterion_for(outlet):
    """The first criterion in use on the site-visit checklist of the outlet's
    municipality."""
    from followup.services import checklist_seed

    return checklist_seed(municipality=outlet.municipality)[0]


# The follow-up settings and the site-visit checklist: kept by the municipality's
# administrators, like the programme settings; everyone else finds nothing (404).
SETTINGS_KEEPERS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
}


def survey_question_for(outlet):
    """The first question of the survey of the outlet's municipality."""
    from surveys.services import survey_questions_seed

    return survey_questions_seed(municipality=outlet.municipality)[0]


def clause_for(outlet):
    """The first clause of the agreement text of the outlet's municipality."""
    from agreements.services.clauses import agreement_clauses_seed

    return agreement_clauses_seed(municipality=outlet.municipality)[0]


def delivery_for(outlet):
    from deliveries.models import Delivery

    delivery, _ = Delivery.objects.get_or_create(
        outlet=outlet,
        delivered_on=date(2026, 3, 10),
        defaults={"household_reference": "H-017", "cost": 150},
    )
    return delivery


def in_programme(outlet):
    """The outlet with an agreement (a draft), which investments need."""
    agreement_for(outlet)
    return outlet


def investment_for(outlet):
    from programme.models import Investment

    in_programme(outlet)
    investment, _ = Investment.objects.get_or_create(
        outlet=outlet,
        description="Uttagsautomat",
        defaults={
            "made_on": date(2026, 3, 15),
            "cost": 80_000,
            "regional_grant": 40_000,
            "municipal_funding": 40_000,
            "decision_reference": "KS 2026/41",
        },
    )
    return investment


def delivery_total_for(outlet):
    from deliveries.models import MonthlyDeliveryTotal

    total, _ = MonthlyDeliveryTotal.objects.get_or_create(
        outlet=outlet, year=2026, month=4, defaults={"delivery_count": 8, "cost": 1_200}
    )
    return total


def scenario_for(outlet):
    """A saved analysis scenario of the outlet's municipality closing the outlet,
    saved by one of its officials where there is one."""
    from accounts.models import Role, User
    from analysis.models import Scenario

    scenario, _ = Scenario.objects.get_or_create(
        municipality=outlet.municipality,
        name=f"Utan {outlet.name}",
        defaults={
            "created_by": User.objects.filter(
                municipality=outlet.municipality, role=Role.OFFICIAL
            ).first()
        },
    )
    scenario.closed_outlets.add(outlet)
    return scenario


# The service analysis: read by the municipality's staff, the county's regional
# viewers and the system owner; scenarios are kept by administrators and officials.
ANALYSTS = signed_in(OK, shop_owner=FORBIDDEN)
SCENARIO_READERS = AGREEMENT_READERS | {"shop_owner": (NOT_FOUND,) * 4}
# A scenario is deleted by the official who saved it and by the municipality's
# administrators.
SCENARIO_DELETERS = {
    actor: (NOT_FOUND,) * 4 for actor in ACTORS if actor != "anonymous"
} | {
    "anonymous": (LOGIN,) * 4,
    "official": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
    "administrator": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
}


def load_for(outlet):
    """A finished population load of the outlet's municipality."""
    from analysis.models import DataLoad

    load, _ = DataLoad.objects.get_or_create(
        municipality=outlet.municipality,
        kind="population",
        defaults={
            "status": "done",
            "file_name": "rutor.csv",
            "file_size": 10,
            "sha256": "0" * 64,
            "square_count": 1,
            "population": 5,
            "area_km2": 1.0,
        },
    )
    return load


def annual_report_for(outlet):
    """A ready annual report of the outlet's municipality, its PDF stored."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from reports.models import AnnualReport

    report = AnnualReport.objects.filter(municipality=outlet.municipality).first()
    if report is None or not default_storage.exists(report.stored_file):
        AnnualReport.objects.filter(municipality=outlet.municipality).delete()
        report = AnnualReport.objects.create(
            municipality=outlet.municipality,
            year=2026,
            status="done",
            dated_on=timezone.localdate(),
            stored_file=default_storage.save(
                "annual-reports/report.pdf", ContentFile(b"%PDF-1.7")
            ),
            sha256="0" * 64,
        )
    return report


ANNUAL_REPORT_READERS = AGREEMENT_READERS | {"shop_owner": (NOT_FOUND,) * 4}


def import_run_for(outlet):
    """A previewed outlet import of the outlet's municipality."""
    from outlets.models import OutletImportRun

    run, _ = OutletImportRun.objects.get_or_create(
        municipality=outlet.municipality,
        defaults={
            "status": "previewed",
            "file_name": "lista.csv",
            "file_size": 10,
            "sha256": "0" * 64,
        },
    )
    return run


# An outlet import is followed by the municipality's administrators and the system
# owner, as the import history; everyone else finds nothing. Confirm and cancel send
# back to the run or to the upload page.
IMPORT_RUN_READERS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "system_owner": (OK,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
}
IMPORT_RUN_ACTORS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "system_owner": (REDIRECTED,) * 4,
    "administrator": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
}


# A population load is followed by the municipality's administrators (the system
# owner follows road networks only); everyone else finds nothing. Confirm and cancel
# of a finished load send back to it.
LOAD_READERS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
}
LOAD_ACTORS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "administrator": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
}


def analysis_job_for(outlet):
    """A failed computation of the outlet's municipality's analysis."""
    from analysis.models import AnalysisJob

    job, _ = AnalysisJob.objects.get_or_create(
        fingerprint=f"authorization-{outlet.municipality_id}",
        defaults={
            "municipality": outlet.municipality,
            "kind": "grocery",
            "bands_km": [5, 10, 20, 30],
            "status": "failed",
            "error": "Provfel.",
        },
    )
    return job


# Who may read a municipality's analysis may retry its failed computation.
ANALYSIS_JOB_RETRIERS = dict.fromkeys(ACTORS, (NOT_FOUND,) * 4) | {
    "anonymous": (LOGIN,) * 4,
    "system_owner": (REDIRECTED,) * 4,
    "administrator": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
    "official": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
    "regional_viewer": (REDIRECTED, REDIRECTED, REDIRECTED, NOT_FOUND),
}


def object_row(name, kwargs, per_object, post=None):
    """A page of one object: GET and POST outcomes per object unless `post` given."""
    return Row(
        name,
        kwargs=kwargs,
        get={},
        per_object_get=per_object,
        post=post or {},
        per_object_post={} if post else per_object,
    )


ROWS = [
    Row("start", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    Row(
        "accounts:login",
        get=every(redirect("/"), anonymous=OK),
        # An empty POST re-shows the form with its errors, signed in or not.
        post=every(redirect("/"), anonymous=OK),
    ),
    Row(
        "accounts:logout",
        get=signed_in(NOT_ALLOWED),
        post=signed_in(redirect("/accounts/login/")),
    ),
    Row("accounts:profile", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    Row(
        "accounts:user_list",
        get=signed_in(FORBIDDEN, administrator=OK, system_owner=OK),
        post=signed_in(FORBIDDEN, administrator=NOT_ALLOWED, system_owner=NOT_ALLOWED),
    ),
    # Users (issue 16): administrators invite and manage their municipality's, the
    # system owner administrators and regional viewers. An empty POST re-shows the
    # form with its errors.
    Row(
        "accounts:user_invite",
        get=signed_in(FORBIDDEN, administrator=OK, system_owner=OK),
        post=signed_in(FORBIDDEN, administrator=OK, system_owner=OK),
    ),
    # The target is the outlet's shop owner.
    Row(
        "accounts:user_detail",
        kwargs=lambda outlet: {"pk": owner_of(outlet).pk},
        get={},
        per_object_get=USERS_READERS,
        post=signed_in(FORBIDDEN, administrator=NOT_ALLOWED, system_owner=NOT_ALLOWED),
    ),
    # Only those one manages: the system owner manages no shop owner.
    object_row(
        "accounts:user_role_change",
        lambda outlet: {"pk": owner_of(outlet).pk},
        USERS_MANAGERS,
    ),
    *[
        Row(
            f"accounts:{name}",
            kwargs=lambda outlet: {"pk": owner_of(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(USERS_ACTIONS, ok=REDIRECTED),
        )
        for name in ("user_deactivate", "user_reactivate", "invitation_resend")
    ],
    # The official invites the shop owner from the outlet's page.
    object_row(
        "accounts:shop_owner_invite",
        lambda outlet: {"pk": outlet.pk},
        EDITORS_OF_OWN_MUNICIPALITY,
    ),
    # The invitee's link: a wrong token gets the page that says so.
    Row(
        "accounts:invitation_accept",
        kwargs=lambda _: {"token": "invalid-token"},
        get=every(OK),
        post=every(NOT_ALLOWED),
    ),
    Row("accounts:invitation_password", get=every(OK), post=every(OK)),
    # The calendar feed (issue 18): made anew and turned off from the profile page
    # by everyone but the system owner, who has none; turning off an address one
    # does not have changes nothing and sends one back all the same.
    *[
        Row(
            f"calendarfeed:{name}",
            get=signed_in(NOT_ALLOWED),
            post=signed_in(REDIRECTED, system_owner=NOT_FOUND),
        )
        for name in ("renew", "revoke")
    ],
    # The feed itself: no sign-in, the address is the key; an unknown one finds
    # nothing, signed in or not.
    Row(
        "calendarfeed:feed",
        kwargs=lambda _: {"token": "no-such-address"},
        get=every(NOT_FOUND),
        post=every(NOT_ALLOWED),
    ),
    # Two factors: every actor here has passed them (the system owner and the
    # administrator must have an app; the others have none).
    Row("accounts:two_factor_setup", get=signed_in(OK), post=signed_in(OK)),
    # Nobody owes a code here: the check sends them on.
    Row(
        "accounts:two_factor_verify",
        get=signed_in(redirect("/")),
        post=signed_in(redirect("/")),
    ),
    # An empty POST lacks the password: the page again with the error.
    Row(
        "accounts:recovery_codes",
        get=signed_in(NOT_FOUND, system_owner=OK, administrator=OK),
        post=signed_in(NOT_FOUND, system_owner=OK, administrator=OK),
    ),
    # Only for those who may do without: nobody here has one to turn off.
    Row(
        "accounts:two_factor_remove",
        get=signed_in(NOT_FOUND),
        post=signed_in(NOT_FOUND),
    ),
    # The official of Nordmaling, whom Nordmaling's administrator manages.
    Row(
        "accounts:two_factor_reset",
        kwargs=lambda _: {
            "pk": User.objects.get(email="official@nordmaling.example").pk
        },
        get=signed_in(FORBIDDEN, system_owner=OK, administrator=OK),
        post=signed_in(FORBIDDEN, system_owner=REDIRECTED, administrator=REDIRECTED),
    ),
    # Erasing that official: their administrator, the system owner; an empty POST
    # lacks the reason and re-shows the page.
    Row(
        "erasure:user_erase",
        kwargs=lambda _: {
            "pk": User.objects.get(email="official@nordmaling.example").pk
        },
        get=signed_in(FORBIDDEN, system_owner=OK, administrator=OK),
        post=signed_in(FORBIDDEN, system_owner=OK, administrator=OK),
    ),
    # A contact person is erased by those who keep the outlet's records.
    object_row(
        "erasure:contact_erase",
        lambda outlet: {"pk": contact_for(outlet).pk},
        AGREEMENT_EDITORS,
    ),
    Row("accounts:password_change", get=signed_in(OK), post=signed_in(OK)),
    # The security log: a municipality's administrators, the system owner.
    Row(
        "securitylog:event_list",
        get=signed_in(FORBIDDEN, system_owner=OK, administrator=OK),
        post=signed_in(FORBIDDEN, system_owner=NOT_ALLOWED, administrator=NOT_ALLOWED),
    ),
    Row(
        "securitylog:event_export",
        get=signed_in(FORBIDDEN, system_owner=OK, administrator=OK),
        post=signed_in(FORBIDDEN, system_owner=NOT_ALLOWED, administrator=NOT_ALLOWED),
    ),
    # The privacy notice: for everyone, signed in or not.
    Row("privacy:notice", get=every(OK), post=every(NOT_ALLOWED)),
    # The open data (CC0): for everyone, signed in or not; read-only.
    # The health checks: for load balancers, no sign-in; read-only.
    Row("healthz", get=every(OK), post=every(NOT_ALLOWED)),
    Row("readyz", get=every(OK), post=every(NOT_ALLOWED)),
    Row("opendata:index", get=every(OK), post=every(NOT_ALLOWED)),
    Row("opendata:geojson", get=every(OK), post=every(NOT_ALLOWED)),
    Row("opendata:csv", get=every(OK), post=every(NOT_ALLOWED)),
    Row("opendata:dcat", get=every(OK), post=every(NOT_ALLOWED)),
    # The accessibility statement: for everyone too. The contacts for both
    # statements: the municipality's administrators; an empty POST re-shows the
    # form with its errors (400), nothing stored.
    Row("statements:accessibility", get=every(OK), post=every(NOT_ALLOWED)),
    Row(
        "statements:settings",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    Row(
        "privacy:extract_search",
        get=signed_in(FORBIDDEN, system_owner=OK, administrator=OK),
        post=EXTRACT_PAGE_NO_POST,
    ),
    object_row(
        "privacy:extract_person",
        lambda outlet: {"kind": "contact", "pk": contact_for(outlet).pk},
        EXTRACT_MAKERS,
        post=EXTRACT_PAGE_NO_POST,
    ),
    # Only a POST makes the file; an empty one lacks the format (400).
    Row(
        "privacy:extract_export",
        kwargs=lambda outlet: {"kind": "contact", "pk": contact_for(outlet).pk},
        get={},
        per_object_get={
            actor: (NOT_ALLOWED,) * 4 if outcomes[0] == OK else outcomes
            for actor, outcomes in EXTRACT_MAKERS.items()
        },
        post={},
        per_object_post=per_object(EXTRACT_MAKERS, ok=BAD_REQUEST),
    ),
    Row(
        "accounts:password_change_done", get=signed_in(OK), post=signed_in(NOT_ALLOWED)
    ),
    Row("accounts:password_reset", get=every(OK), post=every(OK)),
    Row("accounts:password_reset_done", get=every(OK), post=every(NOT_ALLOWED)),
    Row(
        "accounts:password_reset_confirm",
        kwargs=lambda _: {"uidb64": "MQ", "token": "invalid-token"},
        get=every(OK),
        post=every(OK),
    ),
    Row("accounts:password_reset_complete", get=every(OK), post=every(NOT_ALLOWED)),
    Row("outlets:outlet_list", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    # The shop owner keeps their outlet's opening hours and phone; an empty form
    # clears both, which is allowed.
    Row(
        "outlets:outlet_public_facts",
        kwargs=lambda outlet: {"pk": outlet.pk},
        get={},
        post={},
        per_object_get=PUBLIC_FACTS_KEEPERS,
        per_object_post=PUBLIC_FACTS_KEEPERS
        | {"shop_owner": (REDIRECTED, NOT_FOUND, NOT_FOUND, NOT_FOUND)},
    ),
    Row("agreements:agreement_list", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    # An empty POST re-shows the form with its errors.
    Row("agreements:agreement_create", get=MANAGERS, post=MANAGERS),
    Row(
        "agreements:agreement_detail",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
        get={},
        per_object_get=AGREEMENT_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    object_row(
        "agreements:agreement_update",
        lambda outlet: {"pk": agreement_for(outlet).pk},
        AGREEMENT_EDITORS,
    ),
    Row(
        "agreements:agreement_preview",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
        get={},
        per_object_get=AGREEMENT_EDITORS,
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "agreements:agreement_ready",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=REDIRECTED),
    ),
    # Administrators approve a compensation outside the range or a delegation; to
    # officials, as to everyone else, there is nothing here.
    Row(
        "agreements:agreement_approve_compensation",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=dict.fromkeys(ACTORS, (NOT_FOUND,) * 4)
        | {
            "anonymous": (LOGIN,) * 4,
            "administrator": (REDIRECTED, REDIRECTED, NOT_FOUND, NOT_FOUND),
        },
    ),
    Row(
        "agreements:agreement_sign",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk, "side": "party"},
        get=signed_in(NOT_ALLOWED),
        post={},
        # Only the outlet's owner signs for the service point: an empty form is
        # refused (400) and nothing signed. To every other reader, as to everyone
        # else, the agreement is not found (404).
        per_object_post=per_object(PARTY_SIGNERS, ok=BAD_REQUEST),
    ),
    Row(
        "agreements:agreement_sign_paper",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=BAD_REQUEST),
    ),
    Row(
        "agreements:agreement_amend",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=BAD_REQUEST),
    ),
    *[
        Row(
            f"agreements:{name}",
            kwargs=lambda outlet: {"pk": agreement_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(AGREEMENT_EDITORS, ok=BAD_REQUEST),
        )
        for name in (
            "agreement_notice",
            "agreement_renew",
            "agreement_change_owner",
            "agreement_withdraw",
            "agreement_draft_delete",
        )
    ],
    Row(
        "agreements:agreement_document",
        kwargs=lambda outlet: {
            "pk": agreement_for(outlet).first_version().pk,
            "kind": "signed",
        },
        get={},
        per_object_get=AGREEMENT_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    # The state of a signed version's document, for the agreement page's script:
    # to whoever reads the agreement. (The world's version is unsigned: nothing
    # being made, nothing to try again.)
    Row(
        "agreements:signed_document_status",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).first_version().pk},
        get={},
        per_object_get=AGREEMENT_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    # A failed signed document is tried again by those who manage the agreement.
    Row(
        "agreements:signed_document_retry",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).first_version().pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=REDIRECTED),
    ),
    *[
        Row(
            f"agreements:{name}",
            kwargs=lambda outlet: {"pk": agreement_for(outlet).payouts.get().pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(AGREEMENT_EDITORS, ok=REDIRECTED),
        )
        for name in (
            "payout_approve",
            "payout_paid",
            "payout_withhold",
            "payout_release",
            "payout_cancel",
        )
    ],
    Row(
        "agreements:party_list",
        get=signed_in(FORBIDDEN, administrator=OK, official=OK),
        post=signed_in(FORBIDDEN, administrator=NOT_ALLOWED, official=NOT_ALLOWED),
    ),
    Row("agreements:party_create", get=MANAGERS, post=MANAGERS),
    # A party is edited by its municipality's staff; an empty POST re-shows the form.
    object_row(
        "agreements:party_update",
        lambda outlet: {"pk": agreement_for(outlet).party_id},
        AGREEMENT_EDITORS,
    ),
    # A second person confirms new bank details (the stand-in party's have no
    # author, so anyone of the municipality's staff may).
    Row(
        "agreements:party_confirm_bank_details",
        kwargs=lambda outlet: {"pk": agreement_for(outlet).party_id},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=REDIRECTED),
    ),
    # The delegation order is kept by the municipality's administrators; an empty
    # POST re-shows the form with its errors.
    Row(
        "agreements:delegations",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=OK),
    ),
    Row("agreements:payout_export", get=MANAGERS, post=signed_in(NOT_ALLOWED)),
    # The payouts across the municipality's agreements; approving the ticked ones
    # with none ticked sends the official back with a message.
    Row("agreements:payout_list", get=MANAGERS, post=signed_in(NOT_ALLOWED)),
    Row(
        "agreements:payouts_approve",
        get=signed_in(NOT_ALLOWED),
        post=signed_in(NOT_FOUND, administrator=REDIRECTED, official=REDIRECTED),
    ),
    # Administrators set the budget; officials read it. An empty POST re-shows the
    # form with its errors.
    Row("agreements:budget", get=MANAGERS, post=signed_in(NOT_FOUND, administrator=OK)),
    Row(
        "agreements:programme_settings",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=OK),
    ),
    # The agreement text: its administrators keep it, its officials read it. An
    # empty POST re-shows the form with its errors.
    Row(
        "agreements:agreement_text",
        get=signed_in(NOT_FOUND, administrator=OK, official=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    Row(
        "agreements:municipality_organisation_number",
        get=signed_in(NOT_ALLOWED),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    Row(
        "agreements:clause_update",
        kwargs=lambda outlet: {"pk": clause_for(outlet).pk},
        get={},
        per_object_get=SETTINGS_KEEPERS,
        post={},
        per_object_post=per_object(SETTINGS_KEEPERS, ok=BAD_REQUEST),
    ),
    # A move without a direction, or the removal of a standard clause, is refused
    # with a message on the agreement text's page.
    *[
        Row(
            f"agreements:{name}",
            kwargs=lambda outlet: {"pk": clause_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(SETTINGS_KEEPERS, ok=REDIRECTED),
        )
        for name in ("clause_move", "clause_remove")
    ],
    Row(
        "agreements:service_list",
        get=signed_in(FORBIDDEN, administrator=OK, official=OK),
        post=signed_in(FORBIDDEN, administrator=NOT_ALLOWED, official=NOT_ALLOWED),
    ),
    Row(
        "agreements:service_create",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=OK),
    ),
    object_row(
        "agreements:service_update",
        lambda outlet: {"pk": service_for(outlet).pk},
        dict.fromkeys(ACTORS, (NOT_FOUND,) * 4)
        | {
            "anonymous": (LOGIN,) * 4,
            "administrator": (OK, OK, NOT_FOUND, NOT_FOUND),
        },
    ),
    Row(
        "followup:followup_list",
        get=signed_in(OK, shop_owner=FORBIDDEN),
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "followup:portal",
        get=signed_in(FORBIDDEN, shop_owner=OK),
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "followup:followup_detail",
        kwargs=lambda outlet: {"pk": followup_for(outlet).pk},
        get={},
        per_object_get=FOLLOWUP_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    # The owner's report: an empty POST saves an empty draft.
    Row(
        "followup:report",
        kwargs=lambda outlet: {"pk": followup_for(outlet).pk},
        get={},
        per_object_get=REPORTERS,
        post={},
        per_object_post=per_object(REPORTERS, ok=REDIRECTED),
    ),
    # Accepting a report not yet sent is refused with a message on the page.
    Row(
        "followup:report_accept",
        kwargs=lambda outlet: {"pk": followup_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=REDIRECTED),
    ),
    # The officials' forms: an empty one is refused (400) and nothing stored.
    *[
        Row(
            f"followup:{name}",
            kwargs=lambda outlet: {"pk": followup_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(AGREEMENT_EDITORS, ok=BAD_REQUEST),
        )
        for name in (
            "report_return",
            "meeting",
            "action_add",
            "site_visit",
            "site_photo_add",
            "complete",
        )
    ],
    # Photos are served to those who read the follow-up, never from MEDIA_URL.
    Row(
        "followup:site_photo",
        kwargs=lambda outlet: {"pk": site_photo_for(outlet).pk, "size": "thumbnail"},
        get={},
        per_object_get=FOLLOWUP_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    # The owner's view of a year's dialogue and site visit.
    Row(
        "followup:portal_followup",
        kwargs=lambda outlet: {"pk": followup_for(outlet).pk},
        get={},
        per_object_get=REPORTERS,
        post=signed_in(NOT_ALLOWED),
    ),
    # The owner marks the shop's action done (an empty comment is allowed); to
    # everyone else it is not found.
    Row(
        "followup:portal_action_done",
        kwargs=lambda outlet: {"pk": shop_action_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(REPORTERS, ok=REDIRECTED),
    ),
    Row(
        "followup:action_status",
        kwargs=lambda outlet: {
            "pk": followup_for(outlet).meeting.actions.get(party="municipality").pk
        },
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=per_object(AGREEMENT_EDITORS, ok=REDIRECTED),
    ),
    Row("deliveries:delivery_list", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    Row("deliveries:delivery_create", get=DELIVERY_RECORDERS, post=DELIVERY_RECORDERS),
    object_row(
        "deliveries:delivery_update",
        lambda outlet: {"pk": delivery_for(outlet).pk},
        DELIVERY_EDITORS,
    ),
    Row("deliveries:total_create", get=DELIVERY_RECORDERS, post=DELIVERY_RECORDERS),
    object_row(
        "deliveries:total_update",
        lambda outlet: {"pk": delivery_total_for(outlet).pk},
        DELIVERY_EDITORS,
    ),
    # Staff read their municipality's or county's summary, owners their outlets'.
    Row("deliveries:summary", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    Row("deliveries:summary_export", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    # Programme goals: the municipality's administrators set them; an empty POST sets
    # no goal and is refused (400). Others find nothing.
    Row(
        "programme:goals",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "programme:goals_edit",
        kwargs=lambda _outlet: {"year": 2026},
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    # Investments: read like the agreement; recorded by the outlet's municipality's
    # officials and administrators, whose empty POST is refused (400).
    Row(
        "programme:investment_list",
        kwargs=lambda outlet: {"outlet_pk": in_programme(outlet).pk},
        get={},
        per_object_get=AGREEMENT_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "programme:investment_create",
        kwargs=lambda outlet: {"outlet_pk": in_programme(outlet).pk},
        get={},
        post={},
        per_object_get=AGREEMENT_EDITORS,
        per_object_post=per_object(AGREEMENT_EDITORS, ok=BAD_REQUEST),
    ),
    Row(
        "programme:investment_update",
        kwargs=lambda outlet: {"pk": investment_for(outlet).pk},
        get={},
        post={},
        per_object_get=AGREEMENT_EDITORS,
        per_object_post=per_object(AGREEMENT_EDITORS, ok=BAD_REQUEST),
    ),
    # Activities: logged like home deliveries, by the owner or the municipality.
    Row("followup:activity_list", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    Row("followup:activity_create", get=DELIVERY_RECORDERS, post=DELIVERY_RECORDERS),
    object_row(
        "followup:activity_update",
        lambda outlet: {"pk": activity_for(outlet).pk},
        DELIVERY_EDITORS,
    ),
    # Trainings: recorded by the municipality's administrators and officials.
    Row("followup:training_list", get=signed_in(OK), post=signed_in(NOT_ALLOWED)),
    Row("followup:training_create", get=EDITORS, post=EDITORS),
    object_row(
        "followup:training_update",
        lambda outlet: {"pk": training_for(outlet).pk},
        EDITORS_OF_OWN_MUNICIPALITY,
    ),
    # An empty POST re-shows the form with its errors (400), nothing stored.
    Row(
        "followup:settings",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    Row(
        "followup:checklist",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    Row(
        "followup:criterion_update",
        kwargs=lambda outlet: {"pk": criterion_for(outlet).pk},
        get={},
        per_object_get=SETTINGS_KEEPERS,
        post={},
        per_object_post=per_object(SETTINGS_KEEPERS, ok=BAD_REQUEST),
    ),
    # A move without a direction is refused with a message on the checklist.
    *[
        Row(
            f"followup:{name}",
            kwargs=lambda outlet: {"pk": criterion_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(SETTINGS_KEEPERS, ok=REDIRECTED),
        )
        for name in ("criterion_move", "criterion_retire", "criterion_restore")
    ],
    # The customer survey: open to everyone at every service point; an empty POST
    # (no form token) re-shows the form with its error and stores nothing.
    Row(
        "surveys:answer",
        kwargs=lambda outlet: {"pk": service_point_for(outlet).pk},
        get={},
        per_object_get=dict.fromkeys(ACTORS, (OK,) * 4),
        post={},
        per_object_post=dict.fromkeys(ACTORS, (BAD_REQUEST,) * 4),
    ),
    Row(
        "surveys:thanks",
        kwargs=lambda outlet: {"pk": service_point_for(outlet).pk},
        get={},
        per_object_get=dict.fromkeys(ACTORS, (OK,) * 4),
        post={},
        per_object_post=dict.fromkeys(ACTORS, (NOT_ALLOWED,) * 4),
    ),
    # Its questions: kept by the municipality's administrators, like the checklist.
    Row(
        "surveys:questions",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    *[
        Row(
            f"surveys:{name}",
            kwargs=lambda outlet: {"pk": survey_question_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=per_object(SETTINGS_KEEPERS, ok=REDIRECTED),
        )
        for name in ("question_retire", "question_restore")
    ],
    # Key figures and the annual report: staff of the municipality, the county's
    # regional viewers and the system owner; shop owners are refused.
    Row(
        "reports:kpis",
        get=signed_in(OK, shop_owner=FORBIDDEN),
        post=signed_in(NOT_ALLOWED),
    ),
    # The annual report's page; a POST asks for the report (a background job) and
    # sends back to the page.
    Row(
        "reports:annual_report",
        get=signed_in(OK, shop_owner=FORBIDDEN),
        post=signed_in(REDIRECTED, shop_owner=FORBIDDEN),
    ),
    # A prepared report's state and its PDF: for those who read the municipality's
    # key figures; everyone else finds nothing.
    *[
        object_row(
            f"reports:{name}",
            lambda outlet: {"pk": annual_report_for(outlet).pk},
            ANNUAL_REPORT_READERS,
            post=signed_in(NOT_ALLOWED),
        )
        for name in ("annual_report_status", "annual_report_file")
    ],
    # The service analysis. Nobody's municipality has a population in this world, so
    # the pages say so, and there is no table to export (the view tests export them).
    *[
        Row(f"analysis:{name}", get=ANALYSTS, post=signed_in(NOT_ALLOWED))
        for name in (
            "analysis",
            "squares",
            "scenario_list",
            "scenario_editor",
            "scenario_compare",
        )
    ],
    # Computing the figures anew is a POST naming the municipality; without one
    # there is nothing to compute (the view tests compute).
    Row(
        "analysis:recompute",
        get=signed_in(NOT_ALLOWED),
        post=signed_in(NOT_FOUND),
    ),
    Row(
        "analysis:export",
        get=signed_in(NOT_FOUND, shop_owner=FORBIDDEN),
        post=signed_in(NOT_ALLOWED),
    ),
    # Its administrators keep the municipality's analysis settings; an empty POST
    # re-shows the form with its errors (400), nothing stored.
    Row(
        "analysis:settings",
        get=signed_in(NOT_FOUND, administrator=OK),
        post=signed_in(NOT_FOUND, administrator=BAD_REQUEST),
    ),
    # An empty POST re-shows the editor with its errors.
    Row("analysis:scenario_save", get=signed_in(NOT_ALLOWED), post=EDITORS),
    object_row(
        "analysis:scenario_detail",
        lambda outlet: {"pk": scenario_for(outlet).pk},
        SCENARIO_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "analysis:scenario_delete",
        kwargs=lambda outlet: {"pk": scenario_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=SCENARIO_DELETERS,
    ),
    # The county at a glance: the county's regional viewers and the system owner;
    # the municipalities' staff and shop owners are refused. The export names no
    # table here, so it finds none (region/tests/test_views.py exports each).
    Row(
        "region:county",
        get=signed_in(FORBIDDEN, system_owner=OK, regional_viewer=OK),
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "region:export",
        get=signed_in(FORBIDDEN, system_owner=NOT_FOUND, regional_viewer=NOT_FOUND),
        post=signed_in(NOT_ALLOWED),
    ),
    # A municipality's administrators load its population grid and road network,
    # the system owner a shared road network; an empty POST re-shows the form (400).
    Row(
        "analysis:population_upload",
        get=signed_in(FORBIDDEN, administrator=OK),
        post=signed_in(FORBIDDEN, administrator=BAD_REQUEST),
    ),
    Row(
        "analysis:road_network_upload",
        get=signed_in(FORBIDDEN, administrator=OK, system_owner=OK),
        post=signed_in(FORBIDDEN, administrator=BAD_REQUEST, system_owner=BAD_REQUEST),
    ),
    *[
        object_row(
            f"analysis:{name}",
            lambda outlet: {"pk": load_for(outlet).pk},
            LOAD_READERS,
            post=signed_in(NOT_ALLOWED),
        )
        for name in ("load_detail", "load_status")
    ],
    *[
        Row(
            f"analysis:{name}",
            kwargs=lambda outlet: {"pk": load_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=LOAD_ACTORS,
        )
        for name in ("load_confirm", "load_cancel")
    ],
    # The state of background computations for the pages' script (`?job=`; none
    # named, none found), and the retry of a failed one.
    Row(
        "analysis:jobs_status",
        get=signed_in(NOT_FOUND),
        post=signed_in(NOT_ALLOWED),
    ),
    Row(
        "analysis:job_retry",
        kwargs=lambda outlet: {"pk": analysis_job_for(outlet).pk},
        get=signed_in(NOT_ALLOWED),
        post={},
        per_object_post=ANALYSIS_JOB_RETRIERS,
    ),
    # A municipality's administrators import its outlets; the system owner any. An
    # empty POST re-shows the upload form with its error.
    Row("outlets:outlet_import", get=IMPORTERS, post=IMPORTERS),
    object_row(
        "outlets:outlet_import_run",
        lambda outlet: {"pk": import_run_for(outlet).pk},
        IMPORT_RUN_READERS,
        post=signed_in(NOT_ALLOWED),
    ),
    *[
        Row(
            f"outlets:{name}",
            kwargs=lambda outlet: {"pk": import_run_for(outlet).pk},
            get=signed_in(NOT_ALLOWED),
            post={},
            per_object_post=IMPORT_RUN_ACTORS,
        )
        for name in ("outlet_import_run_confirm", "outlet_import_run_cancel")
    ],
    Row(
        "outlets:outlet_import_history",
        get=IMPORTERS,
        post=signed_in(FORBIDDEN, administrator=NOT_ALLOWED, system_owner=NOT_ALLOWED),
    ),
    Row("outlets:outlet_export", get=STAFF_ONLY, post=STAFF_ONLY_NO_POST),
    # The window sign and the leaflet (issue 18): public documents of a service
    # point, the same for everyone; GET and HEAD only.
    Row(
        "signs:sign",
        kwargs=lambda outlet: {"pk": service_point_for(outlet).pk},
        get={},
        per_object_get=EVERYONE_EVERY_OBJECT,
        post=EVERYONE_NO_POST,
    ),
    Row(
        "signs:leaflet",
        kwargs=lambda outlet: {"code": service_point_for(outlet).municipality.code},
        get={},
        per_object_get=EVERYONE_EVERY_OBJECT,
        post=EVERYONE_NO_POST,
    ),
    Row(
        "outlets:outlet_detail",
        kwargs=lambda outlet: {"pk": outlet.pk},
        get={},
        per_object_get=STAFF_SEE_BASE_DATA,
        post=signed_in(NOT_ALLOWED),
    ),
    Row("outlets:outlet_create", get=EDITORS, post=EDITORS),
    object_row(
        "outlets:outlet_update",
        lambda outlet: {"pk": outlet.pk},
        EDITORS_OF_OWN_MUNICIPALITY,
    ),
    object_row(
        "outlets:outlet_close",
        lambda outlet: {"pk": outlet.pk},
        EDITORS_OF_OWN_MUNICIPALITY,
    ),
    Row("outlets:map", get=STAFF_ONLY, post=STAFF_ONLY_NO_POST),
    # Crisis readiness: staff read it within their records scope (own municipality,
    # the county, all for the system owner); shop owners are refused.
    Row("outlets:crisis_readiness", get=STAFF_ONLY, post=STAFF_ONLY_NO_POST),
    Row("outlets:crisis_readiness_export", get=STAFF_ONLY, post=STAFF_ONLY_NO_POST),
    Row("outlets:locality_list", get=STAFF_ONLY, post=STAFF_ONLY_NO_POST),
    Row("outlets:locality_create", get=EDITORS, post=EDITORS),
    object_row(
        "outlets:locality_detail",
        lambda outlet: {"pk": outlet.locality_id},
        STAFF_SEE_EVERY_MUNICIPALITYS,
        post=STAFF_ONLY_NO_POST,
    ),
    object_row(
        "outlets:locality_update",
        lambda outlet: {"pk": outlet.locality_id},
        EDITORS_OF_OWN_MUNICIPALITY,
    ),
    Row("outlets:partner_list", get=STAFF_ONLY, post=STAFF_ONLY_NO_POST),
    Row("outlets:partner_create", get=EDITORS, post=EDITORS),
    object_row(
        "outlets:partner_detail",
        lambda outlet: {"pk": partner_for(outlet).pk},
        STAFF_SEE_EVERY_MUNICIPALITYS,
        post=STAFF_ONLY_NO_POST,
    ),
    object_row(
        "outlets:partner_update",
        lambda outlet: {"pk": partner_for(outlet).pk},
        EDITORS_OF_OWN_MUNICIPALITY,
    ),
    # The choice of a strategic locality's service point: recorded by the
    # municipality's administrators and officials; an empty POST re-shows the form
    # with its errors (400).
    Row(
        "outlets:service_point_choice_create",
        kwargs=lambda outlet: {"pk": strategic_locality_for(outlet)},
        get={},
        per_object_get=EDITORS_OF_OWN_MUNICIPALITY,
        post={},
        per_object_post=per_object(EDITORS_OF_OWN_MUNICIPALITY, ok=BAD_REQUEST),
    ),
    Row(
        "outlets:service_point_choice_update",
        kwargs=lambda outlet: {"pk": service_point_choice_for(outlet).pk},
        get={},
        per_object_get=EDITORS_OF_OWN_MUNICIPALITY,
        post={},
        per_object_post=per_object(EDITORS_OF_OWN_MUNICIPALITY, ok=BAD_REQUEST),
    ),
    # The public pages (issue 18): no sign-in; the publish page (the embed codes for
    # a municipality's website) is for staff.
    Row("public:index", get=EVERYONE, post=EVERYONE_NO_POST),
    Row("public:markers", get=EVERYONE, post=EVERYONE_NO_POST),
    Row(
        "public:municipality",
        kwargs=lambda outlet: {"code": outlet.municipality.code},
        get={},
        per_object_get=EVERYONE_EVERY_OBJECT,
        post=EVERYONE_NO_POST,
    ),
    Row(
        "public:service_point",
        kwargs=lambda outlet: {"pk": service_point_for(outlet).pk},
        get={},
        per_object_get=EVERYONE_EVERY_OBJECT,
        post=EVERYONE_NO_POST,
    ),
    Row(
        "public:publish",
        get=signed_in(OK, shop_owner=FORBIDDEN),
        post=signed_in(NOT_ALLOWED),
    ),
    *[
        Row(
            f"embed:{name}",
            kwargs=lambda outlet: {"code": outlet.municipality.code},
            get={},
            per_object_get=EVERYONE_EVERY_OBJECT,
            post=EVERYONE_NO_POST,
        )
        for name in ("list", "map", "snippet")
    ],
    Row(
        "set_language",
        # A GET changes nothing and only sends the visitor back.
        get=every(redirect("/")),
        post=every(redirect("/")),
    ),
    Row(
        "admin:index",
        get=every(ADMIN_LOGIN, system_owner=OK),
        post=every(ADMIN_LOGIN, system_owner=OK),
    ),
    Row(
        "admin:login",
        get=every(OK, system_owner=redirect("/admin/")),
        post=every(OK),
    ),
]


def admin_model_rows():
    """Every registered model's admin pages: the system owner's, nobody else's."""
    superuser = SimpleNamespace(
        is_active=True, is_staff=True, is_superuser=True, has_perm=lambda *_: True
    )
    request = SimpleNamespace(user=superuser)
    rows = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in PROJECT_APPS:
            continue
        # Public records (agreements, payouts) are read-only even for the owner.
        can_add = model_admin.has_add_permission(request)
        for view in ("changelist", "add"):
            outcome = OK if view == "changelist" or can_add else FORBIDDEN
            rows.append(
                Row(
                    f"admin:{opts.app_label}_{opts.model_name}_{view}",
                    get=signed_in(ADMIN_LOGIN, system_owner=outcome),
                    post=signed_in(ADMIN_LOGIN, system_owner=outcome),
                )
            )
    return rows


ALL_ROWS = ROWS + admin_model_rows()


def url_pattern_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from url_pattern_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.mark.smoke
def test_every_url_pattern_has_a_row_in_the_authorization_table():
    covered = {row.name for row in ALL_ROWS}
    # The admin's own object pages (change, delete, history) are covered by its login
    # check on the index and on every model's changelist and add pages.
    missing = [
        name
        for name in url_pattern_names()
        if name not in covered and not name.startswith("admin:")
    ]
    assert missing == []


@pytest.fixture(scope="module")
def world(module_db):
    """One object of each kind the table names, and one user per actor: the users of
    the role fixtures in conftest.py, built once for the module."""
    with module_db.building():
        system_owner = UserFactory(
            system_owner=True, email="system@servicepunkter.example"
        )
        administrator = UserFactory(
            administrator=True, email="admin@nordmaling.example"
        )
        official = UserFactory(email="official@nordmaling.example")
        own_outlet = OutletFactory(name="Pers Livs")
        shop_owner = UserFactory(
            shop_owner=True, email="owner@perslivs.example", outlets=[own_outlet]
        )
        regional_viewer = UserFactory(
            regional_viewer=True, email="region@vasterbotten.example"
        )
        objects = {
            "own": own_outlet,
            "other_owner": OutletFactory(name="Handlarn Rundvik"),
            "other_municipality": OutletFactory(
                name="Lanthandeln i Umeå", municipality=municipality("2480")
            ),
            "other_county": OutletFactory(
                name="Butiken i Norrtälje", municipality=municipality("0188")
            ),
        }
        UserFactory(shop_owner=True, outlets=[objects["other_owner"]])
        actors = {
            "anonymous": None,
            "system_owner": system_owner,
            "administrator": administrator,
            "official": official,
            "shop_owner": shop_owner,
            "regional_viewer": regional_viewer,
        }
        sessions = {actor: signed_in_session(user) for actor, user in actors.items()}
    return actors, objects, sessions


def signed_in_session(user):
    """The session cookie of a client signed in as the user (None: anonymous)."""
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def rows_written():
    """Rows inserted, updated and deleted so far in this transaction, as PostgreSQL
    counts them: in every table, by COPY and by database functions (triggers) too;
    all but the security log, where a refusal is recorded."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables"
            " WHERE relname <> 'securitylog_securityevent'"
        )
        return cursor.fetchone()[0]


def media_files():
    """Every stored file, with its size and time of change."""
    root = Path(settings.MEDIA_ROOT)
    return {
        (str(path.relative_to(root)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


def nothing_written():
    """What a forbidden POST must leave as it was: the database and the stored files."""
    return rows_written(), media_files()


def check_outcome(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif expected == REDIRECTED:
        assert response.status_code == 302
        assert "login" not in response["Location"]
    elif isinstance(expected, tuple):
        assert response.status_code == 302
        assert response["Location"] == expected[1]
    else:
        assert response.status_code == expected


# The smoke pass against an external server (`.ci/run`) takes one actor's GETs.
SMOKE_ACTOR = "administrator"


def cases():
    for row in ALL_ROWS:
        for actor in ACTORS:
            per_object = row.per_object_get or row.per_object_post
            targets = OBJECTS if per_object else [None]
            for index, target in enumerate(targets):
                for method in ("get", "post"):
                    if method == "get" and row.per_object_get:
                        expected = row.per_object_get[actor][index]
                    elif method == "post" and row.per_object_post:
                        expected = row.per_object_post[actor][index]
                    else:
                        expected = getattr(row, method)[actor]
                    label = f"{row.name}-{actor}-{method}" + (
                        f"-{target}" if target else ""
                    )
                    smoke = actor == SMOKE_ACTOR and method == "get"
                    yield pytest.param(
                        row,
                        actor,
                        target,
                        method,
                        expected,
                        id=label,
                        marks=[pytest.mark.smoke] if smoke else [],
                    )


@pytest.mark.django_db
@pytest.mark.parametrize("row,actor,target,method,expected", list(cases()))
def test_authorization_table(client, world, row, actor, target, method, expected):
    actors, objects, sessions = world
    if actors[actor] is not None:
        # Signed in once for the module: the session is in the module's transaction.
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[actor]
    kwargs = row.kwargs(objects.get(target)) if row.kwargs else {}
    url = reverse(row.name, kwargs=kwargs)

    if method == "get":
        check_outcome(client.get(url), expected)
        return
    before = nothing_written()
    response = client.post(url, {})
    check_outcome(response, expected)
    if expected not in (OK, REDIRECTED) and not isinstance(expected, tuple):
        assert nothing_written() == before
