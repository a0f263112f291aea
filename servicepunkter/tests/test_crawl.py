"""Crawl the site as each demo user: no broken page, and no page one can open unlinked.

A page that a user can open but that their own navigation never reaches is how leaks
look, so every object page a user can open must be among the pages the crawl reached.

The demo is seeded once for the module, in a transaction rolled back at its end; each
crawl runs in a savepoint inside it (see `module_db`).
"""

import shutil
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.demo import DEMO_USERS
from accounts.models import Role, User
from agreements.models import (
    Agreement,
    AgreementClause,
    AgreementVersion,
    Party,
    Service,
)
from analysis.models import DataLoad, Scenario
from deliveries.models import Delivery, MonthlyDeliveryTotal
from followup.models import (
    Activity,
    ChecklistCriterion,
    FollowUp,
    SitePhoto,
    SiteVisit,
    Training,
)
from outlets.models import Locality, Outlet, Partner, ServicePointChoice
from outlets.selectors import in_programme_q
from programme.models import Investment, ProgrammeGoals
from servicepunkter.management.commands.seed_demo import demo_seed

pytestmark = pytest.mark.django_db


def every(pattern, model):
    """Every URL the pattern can take with the objects in the database."""
    return lambda: [
        reverse(pattern, kwargs={"pk": pk})
        for pk in model.objects.values_list("pk", flat=True)
    ]


def agreement_documents():
    """The stored documents: frozen for signature, and signed."""
    urls = []
    for version in AgreementVersion.objects.all():
        for kind, document in (
            ("frozen", version.document),
            ("signed", version.signed_document),
        ):
            if document:
                urls.append(
                    reverse(
                        "agreements:agreement_document",
                        kwargs={"pk": version.pk, "kind": kind},
                    )
                )
    return urls


def outlet_pages(pattern):
    """Every URL of a page about one outlet."""
    return lambda: [
        reverse(pattern, kwargs={"outlet_pk": pk})
        for pk in Outlet.objects.values_list("pk", flat=True)
    ]


def programme_outlet_pages(pattern):
    """Every URL of a page about one outlet in the programme (that has or had an
    agreement): the investments' pages."""
    return lambda: [
        reverse(pattern, kwargs={"outlet_pk": pk})
        for pk in Outlet.objects.filter(in_programme_q()).values_list("pk", flat=True)
    ]


def goal_years():
    """The goals of every year that has them."""
    return [
        reverse("programme:goals_edit", kwargs={"year": year})
        for year in ProgrammeGoals.objects.values_list("year", flat=True).distinct()
    ]


def site_photos():
    """The photos in full size; the thumbnails are the same objects."""
    return [
        reverse("followup:site_photo", kwargs={"pk": pk, "size": "full"})
        for pk in SitePhoto.objects.values_list("pk", flat=True)
    ]


STAFF = {Role.SYSTEM_OWNER, Role.ADMINISTRATOR, Role.OFFICIAL, Role.REGIONAL_VIEWER}
EDITORS = {Role.ADMINISTRATOR, Role.OFFICIAL}
USER_MANAGERS = {Role.ADMINISTRATOR, Role.SYSTEM_OWNER}

# Every URL pattern that shows one object: every URL it can take in the database, and
# the roles that open at least one of them. The other roles must open none.
OBJECT_PAGES = {
    "outlets:outlet_detail": (every("outlets:outlet_detail", Outlet), set(Role)),
    "outlets:outlet_update": (every("outlets:outlet_update", Outlet), EDITORS),
    "outlets:outlet_close": (every("outlets:outlet_close", Outlet), EDITORS),
    "outlets:locality_detail": (every("outlets:locality_detail", Locality), STAFF),
    "outlets:locality_update": (every("outlets:locality_update", Locality), EDITORS),
    "outlets:partner_detail": (every("outlets:partner_detail", Partner), STAFF),
    "outlets:partner_update": (every("outlets:partner_update", Partner), EDITORS),
    "outlets:service_point_choice_create": (
        lambda: [
            reverse("outlets:service_point_choice_create", kwargs={"pk": pk})
            for pk in Locality.objects.exclude(classification="none").values_list(
                "pk", flat=True
            )
        ],
        EDITORS,
    ),
    "outlets:service_point_choice_update": (
        every("outlets:service_point_choice_update", ServicePointChoice),
        EDITORS,
    ),
    "agreements:agreement_detail": (
        every("agreements:agreement_detail", Agreement),
        set(Role),
    ),
    "agreements:agreement_update": (
        every("agreements:agreement_update", Agreement),
        EDITORS,
    ),
    "agreements:agreement_preview": (
        every("agreements:agreement_preview", Agreement),
        EDITORS,
    ),
    "agreements:agreement_document": (agreement_documents, set(Role)),
    "agreements:party_update": (every("agreements:party_update", Party), EDITORS),
    "followup:followup_detail": (every("followup:followup_detail", FollowUp), STAFF),
    "followup:report": (every("followup:report", FollowUp), {Role.SHOP_OWNER}),
    "followup:portal_followup": (
        every("followup:portal_followup", FollowUp),
        {Role.SHOP_OWNER},
    ),
    "followup:site_photo": (site_photos, STAFF),
    "followup:activity_update": (
        every("followup:activity_update", Activity),
        EDITORS | {Role.SHOP_OWNER},
    ),
    "followup:training_update": (
        every("followup:training_update", Training),
        EDITORS,
    ),
    "followup:criterion_update": (
        every("followup:criterion_update", ChecklistCriterion),
        {Role.ADMINISTRATOR},
    ),
    "agreements:service_update": (
        every("agreements:service_update", Service),
        {Role.ADMINISTRATOR},
    ),
    "agreements:clause_update": (
        every("agreements:clause_update", AgreementClause),
        {Role.ADMINISTRATOR},
    ),
    "deliveries:delivery_update": (
        every("deliveries:delivery_update", Delivery),
        EDITORS | {Role.SHOP_OWNER},
    ),
    "deliveries:total_update": (
        every("deliveries:total_update", MonthlyDeliveryTotal),
        EDITORS,
    ),
    "programme:goals_edit": (goal_years, {Role.ADMINISTRATOR}),
    "programme:investment_list": (
        programme_outlet_pages("programme:investment_list"),
        STAFF | {Role.SHOP_OWNER},
    ),
    "programme:investment_create": (
        programme_outlet_pages("programme:investment_create"),
        EDITORS,
    ),
    "programme:investment_update": (
        every("programme:investment_update", Investment),
        EDITORS,
    ),
    "analysis:scenario_detail": (every("analysis:scenario_detail", Scenario), STAFF),
    # Linked from the history on the upload pages.
    "analysis:load_detail": (
        every("analysis:load_detail", DataLoad),
        {Role.ADMINISTRATOR},
    ),
    "accounts:user_detail": (every("accounts:user_detail", User), USER_MANAGERS),
    "accounts:user_role_change": (
        every("accounts:user_role_change", User),
        USER_MANAGERS,
    ),
    "accounts:shop_owner_invite": (
        every("accounts:shop_owner_invite", Outlet),
        EDITORS,
    ),
    "outlets:outlet_public_facts": (
        every("outlets:outlet_public_facts", Outlet),
        {Role.SHOP_OWNER},
    ),
}
# URL patterns with arguments that show no stored object: forms that only take a
# POST (the actions on an agreement and its payouts) and the password reset link.
# Also the reset of a colleague's second factor, linked from the users page only
# for colleagues who have one: in the demo, none of the administrator's
# (accounts/tests/test_two_factor.py follows that link). And the invitation link
# from the e-mail, and the POST-only actions on a user's page.
NOT_OBJECT_PAGES = {
    # An outlet import's run: the demo has none; outlets/tests/test_import_runs.py
    # follows the upload to its page, and its confirm and cancel are POSTs.
    "outlets:outlet_import_run",
    "outlets:outlet_import_run_confirm",
    "outlets:outlet_import_run_cancel",
    # The register extract of a person: reached by the person search, which lists
    # nobody until asked (privacy/tests/test_extract.py follows its links); the file
    # only by a POST.
    "privacy:extract_person",
    "privacy:extract_export",
    # The window sign and the leaflet: public documents (no sign-in) of every
    # service point, so one opened without a link leaks nothing. The outlet page's
    # panel links those of its service point; the crawl follows it.
    "signs:sign",
    "signs:leaflet",
    "accounts:password_reset_confirm",
    "accounts:invitation_accept",
    # The calendar feed: reached by its secret address only, which the profile page
    # shows once (calendarfeed/tests/test_feed.py fetches it).
    "calendarfeed:feed",
    "accounts:user_deactivate",
    "accounts:user_reactivate",
    "accounts:invitation_resend",
    "accounts:two_factor_reset",
    # The system owner erases from a user's page in the Django admin, which the
    # crawl does not follow; an administrator's links are followed in
    # privacy/tests/test_erasure_views.py. The demo has no contact persons to
    # erase; the same file follows the outlet page's link to that page.
    "erasure:user_erase",
    "erasure:contact_erase",
    # The signed document's state, asked by the agreement page's script while the
    # document is being made (agreements/tests/test_signed_document_job.py), and
    # its retry, a POST.
    "agreements:signed_document_status",
    "agreements:signed_document_retry",
    "agreements:agreement_ready",
    "agreements:agreement_approve_compensation",
    "agreements:agreement_sign",
    "agreements:agreement_sign_paper",
    "agreements:agreement_notice",
    "agreements:agreement_amend",
    "agreements:agreement_renew",
    "agreements:agreement_withdraw",
    "agreements:agreement_draft_delete",
    "agreements:agreement_change_owner",
    "agreements:payout_approve",
    "agreements:payout_paid",
    "agreements:payout_withhold",
    "agreements:payout_release",
    "agreements:payout_cancel",
    "agreements:party_confirm_bank_details",
    "agreements:clause_move",
    "agreements:clause_remove",
    "followup:report_accept",
    "followup:report_return",
    "followup:meeting",
    "followup:action_add",
    "followup:action_status",
    "followup:portal_action_done",
    "followup:site_visit",
    "followup:site_photo_add",
    "followup:complete",
    "followup:criterion_move",
    "followup:criterion_retire",
    "followup:criterion_restore",
    "analysis:scenario_delete",
    # The public customer survey: open to everyone, at every service point, reached
    # from the public service-point page and the sign's QR code (staff find it on
    # the follow-up page); surveys/tests follow it. Its thanks page follows a POST;
    # a question is taken out of use or back by a POST only.
    "surveys:answer",
    "surveys:thanks",
    "surveys:question_retire",
    "surveys:question_restore",
    # A prepared annual report's state (for its page's script) and its PDF: the
    # demo has none prepared; reports/tests/test_annual_report_jobs.py follows them.
    "reports:annual_report_status",
    "reports:annual_report_file",
    # A load's state for its page's script, and the POST-only confirm and cancel.
    "analysis:load_status",
    "analysis:load_confirm",
    "analysis:load_cancel",
    # The POST-only retry of a failed background computation.
    "analysis:job_retry",
    # The public pages and the embeds (issue 18): every one is open to everyone by
    # design, so an unlinked one leaks nothing; public/tests/test_views.py follows
    # the public links from the country to a municipality to a service point.
    "public:municipality",
    "public:service_point",
    "embed:list",
    "embed:map",
    "embed:snippet",
}
# The Django admin is the system owner's own tool, crawled only up to its index.
NOT_CRAWLED = ("/admin/",)


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def links_on(response, current_path):
    parser = LinkParser()
    parser.feed(response.content.decode())
    for href in parser.links:
        href = urldefrag(href).url
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("mailto:") or not href:
            continue
        if href.startswith("?"):
            href = current_path + href
        yield href


class Crawl(dict):
    """Every page reached, with its status code after redirects; `first_status` keeps
    each one's own status (that of a GET without following redirects)."""

    def __init__(self):
        super().__init__()
        self.first_status = {}


def crawl(client):
    """Every page reachable by links from the start page, with its status code.

    The links of a list combine its filters, sorting and pages freely, which runs
    into hundreds of URLs of one view (a regional viewer's register alone offered
    589). So a URL is fetched only when its path is new or its query holds a
    parameter value not yet fetched on that path; each filter value, sort order and
    page is opened at least once, their every combination is not."""
    seen = Crawl()
    fetched_values = {}
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        parts = urlsplit(url)
        values = set(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path in fetched_values and values <= fetched_values[parts.path]:
            continue
        fetched_values.setdefault(parts.path, set()).update(values)
        response = client.get(url, follow=True)
        seen[url] = response.status_code
        seen.first_status[url] = (
            response.redirect_chain[0][1]
            if response.redirect_chain
            else response.status_code
        )
        final_path = response.request["PATH_INFO"]
        if url.startswith(NOT_CRAWLED) or final_path.startswith(NOT_CRAWLED):
            continue
        if "text/html" in response.get("Content-Type", ""):
            for link in links_on(response, final_path):
                if link not in seen:
                    queue.append(link)
    return seen


def object_pattern_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            if inner != "admin:":
                yield from object_pattern_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.pattern.converters:
            yield f"{namespace}{pattern.name}"


@pytest.fixture(scope="module")
def demo_world(module_db):
    """The demo, seeded once for the module, with what the crawl needs besides."""
    with module_db.building():
        demo_seed()
        demo_additions()
    return module_db.media_root


@pytest.fixture
def demo(demo_world, settings):
    """The demo's stored files, copied to this test's own MEDIA_ROOT."""
    shutil.copytree(demo_world, settings.MEDIA_ROOT, dirs_exist_ok=True)


def demo_additions():
    # The demo has no partner yet; the crawl needs one to reach the partner pages.
    norrfors = Locality.objects.get(municipality__code="2401", name="Norrfors")
    partner = Partner.objects.create(
        municipality=norrfors.municipality,
        name="Norrfors byaförening",
        kind=Partner.Kind.VILLAGE_ASSOCIATION,
    )
    partner.localities.add(norrfors)
    # A saved scenario to reach (the demo has a synthetic population to analyse).
    nordmaling = norrfors.municipality
    scenario = Scenario.objects.create(
        municipality=nordmaling,
        name="Utan Handlarn Rundvik",
        created_by=User.objects.filter(role=Role.OFFICIAL, municipality=nordmaling)
        .order_by("pk")
        .first(),
    )
    scenario.closed_outlets.add(
        Outlet.objects.get(municipality=nordmaling, name__contains="Rundvik")
    )
    # Nor any load of a population grid; the crawl reaches it from the history.
    DataLoad.objects.create(
        kind=DataLoad.Kind.POPULATION,
        municipality=nordmaling,
        status=DataLoad.Status.DONE,
        file_name="rutor.csv",
        file_size=100,
        sha256="0" * 64,
        square_count=3,
        population=207,
        area_km2=3.0,
    )
    # Nor any site-visit photo; the crawl needs one to reach the photo pages.
    visit = SiteVisit.objects.filter(
        followup__agreement__municipality__code="2401"
    ).first()
    official = User.objects.get(
        email=next(demo.email for demo in DEMO_USERS if demo.role == Role.OFFICIAL)
    )
    photo = SitePhoto(
        site_visit=visit,
        caption="Skylten vid vägen",
        thumbnail_width=1,
        thumbnail_height=1,
        added_by=official,
    )
    photo.image.save("photo.jpg", ContentFile(b"\xff\xd8 test"), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8 test"), save=False)
    photo.save()


def test_every_object_page_pattern_is_known_to_the_crawl():
    unknown = set(object_pattern_names()) - set(OBJECT_PAGES) - NOT_OBJECT_PAGES
    assert unknown == set()


@pytest.mark.parametrize("demo_user", DEMO_USERS, ids=lambda demo: demo.role)
def test_crawl_as_demo_user_finds_no_broken_page_and_no_unlinked_object_page(
    client, demo, demo_user
):
    client.force_login(User.objects.get(email=demo_user.email))

    reached = crawl(client)

    broken = {url: status for url, status in reached.items() if status != 200}
    assert broken == {}
    assert len(reached) > 3
    for pattern, (all_urls, roles) in OBJECT_PAGES.items():
        # A page the crawl opened is not loaded again: its own status is known.
        openable = {
            url for url in all_urls() if first_status(client, reached, url) == 200
        }
        if demo_user.role in roles:
            assert openable, f"{demo_user.role} can open no {pattern} page at all"
        else:
            assert openable == set(), f"{demo_user.role} opens {pattern}"
        assert openable - set(reached) == set(), pattern


def first_status(client, reached, url):
    """The status of a GET of the URL, without following redirects."""
    if url in reached.first_status:
        return reached.first_status[url]
    return client.get(url).status_code


# What a visitor without an account reaches from the footer: the public pages of the
# service points (and their sign, leaflet and survey), the open data and the
# statements; nothing of the staff's.
PUBLIC_PREFIXES = ("/service-points/", "/survey/", "/open-data/")


def test_crawl_as_anonymous_visitor_reaches_only_the_sign_in_and_public_pages(
    client, demo
):
    reached = crawl(client)

    sign_in = {
        "/",
        "/accounts/password/reset/",
        "/accounts/login/",
        "/privacy/",
        "/accessibility/",
    }
    assert sign_in <= set(reached)
    assert {
        url
        for url in reached
        if url.split("?")[0] not in sign_in and not url.startswith(PUBLIC_PREFIXES)
    } == set()
    # The public pages are reached: the country, Nordmaling, its service points.
    assert {
        "/service-points/",
        "/service-points/municipality/2401/",
        "/open-data/",
    } <= set(reached)
    assert any(url.endswith("/sign.pdf") for url in reached)
    assert all(status == 200 for status in reached.values())
