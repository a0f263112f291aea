"""The calendar feed (issue 18): a personal iCalendar address with a secret, for the
deadlines of the records the person sees."""

import io
import logging

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pghistory.models import Context

from accounts.models import Role, token_hash
from agreements.services.lifecycle import agreement_give_notice
from calendarfeed import views
from calendarfeed.events import feed_window
from calendarfeed.models import CalendarFeed
from calendarfeed.redaction import FeedAddressFilter
from calendarfeed.services import calendar_feed_renew, calendar_feed_revoke
from calendarfeed.tests.conftest import SITE, agreement_with_deadlines
from outlets.models import Outlet
from outlets.tests.factories import OutletFactory, municipality
from securitylog.models import EventKind, SecurityEvent

pytestmark = pytest.mark.django_db


def feed_path(token):
    return reverse("calendarfeed:feed", kwargs={"token": token})


def fetch(client, token):
    response = client.get(feed_path(token))
    assert response.status_code == 200, response.status_code
    return response, Calendar.from_ical(response.content)


def events_by_uid(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def term_dates(agreement):
    """The decision date and notice deadline of the agreement's current period."""
    term = agreement.first_version().term
    period = term.period_on(timezone.localdate())
    return term.decision_date(period), term.notice_deadline(period), period


def in_window(queryset):
    since, until = feed_window(timezone.localdate())
    return queryset.filter(due_on__range=(since, until)).first()


def test_an_officials_feed_holds_decision_notice_follow_up_and_payout_of_their_municipality(  # noqa: E501
    client, official, pers_livs_agreement, umea_agreement
):
    token = calendar_feed_renew(user=official, language="sv")
    cache.clear()

    response, calendar = fetch(client, token)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert not response.has_header("Content-Disposition")
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT4H"
    assert str(calendar["X-WR-CALNAME"]) == "Servicepunkter: datum att hålla"
    events = events_by_uid(calendar)
    agreement = pers_livs_agreement
    ref = agreement.reference
    decision, deadline, period = term_dates(agreement)

    decision_event = events[
        f"decision-{agreement.pk}-{period.number}@servicepunkter.example"
    ]
    assert decision_event.decoded("DTSTART") == decision
    assert str(decision_event["SUMMARY"]) == f"Beslutsdatum: Pers Livs ({ref})"
    notice_event = events[
        f"notice-{agreement.pk}-{period.number}@servicepunkter.example"
    ]
    assert notice_event.decoded("DTSTART") == deadline
    assert (
        str(notice_event["SUMMARY"]) == f"Sista dag för uppsägning: Pers Livs ({ref})"
    )
    assert str(notice_event["URL"]) == SITE + agreement.get_absolute_url()

    followup = in_window(agreement.followups.all())
    followup_event = events[f"followup-{followup.pk}@servicepunkter.example"]
    assert followup_event.decoded("DTSTART") == followup.due_on
    assert str(followup_event["SUMMARY"]) == (
        f"Uppföljning senast: Pers Livs ({ref}), avtalsår {followup.agreement_year}"
    )
    assert str(followup_event["URL"]) == SITE + followup.get_absolute_url()

    payout = in_window(agreement.payouts.all())
    payout_event = events[f"payout-{payout.pk}@servicepunkter.example"]
    assert payout_event.decoded("DTSTART") == payout.due_on
    assert str(payout_event["SUMMARY"]).startswith(f"Utbetalning: Pers Livs ({ref}), ")

    # All-day events: a date, ending the next day.
    for event in events.values():
        start = event.decoded("DTSTART")
        assert not hasattr(start, "hour")
        assert (event.decoded("DTEND") - start).days == 1
    # No person: not the party's signatory, nor its e-mail address or number.
    text = response.content.decode()
    party = agreement.party
    for personal in (party.signatory_name, party.email, party.organisation_number):
        assert personal not in text
    # Umeå's agreement is not the official's business.
    assert "Umeå" not in response.content.decode()
    assert not any(f"-{umea_agreement.pk}-" in uid for uid in events)
    assert not any(
        uid == f"followup-{f.pk}@servicepunkter.example"
        for f in umea_agreement.followups.all()
        for uid in events
    )


def test_the_same_deadlines_keep_their_uids_from_one_fetch_to_the_next(
    client, official, pers_livs_agreement
):
    token = calendar_feed_renew(user=official, language="sv")
    _response, first = fetch(client, token)
    _response, second = fetch(client, token)
    assert set(events_by_uid(first)) == set(events_by_uid(second))
    assert len(events_by_uid(first)) >= 4


@pytest.mark.smoke
def test_a_revoked_address_gets_404(client, official, pers_livs_agreement):
    token = calendar_feed_renew(user=official, language="sv")
    fetch(client, token)

    calendar_feed_revoke(user=official)

    assert client.get(feed_path(token)).status_code == 404


def test_a_renewed_address_works_and_the_old_one_gets_404(
    client, official, pers_livs_agreement
):
    old = calendar_feed_renew(user=official, language="sv")
    new = calendar_feed_renew(user=official, language="sv")

    assert client.get(feed_path(old)).status_code == 404
    fetch(client, new)
    assert CalendarFeed.objects.filter(user=official).count() == 1


def test_an_unknown_address_and_a_deactivated_persons_get_404(client, official):
    token = calendar_feed_renew(user=official, language="sv")
    assert client.get(feed_path("not-an-address")).status_code == 404

    official.is_active = False
    official.save()

    assert client.get(feed_path(token)).status_code == 404


def test_only_the_hash_of_the_secret_is_stored_and_one_address_per_person(official):
    token = calendar_feed_renew(user=official, language="sv")
    feed = CalendarFeed.objects.get(user=official)
    assert feed.token_hash == token_hash(token)
    assert token not in str(CalendarFeed.objects.filter(pk=feed.pk).values().get())
    with pytest.raises(IntegrityError):
        CalendarFeed.objects.create(user=official, token_hash="0" * 64)


def test_a_role_change_narrows_the_feed_at_the_next_fetch(
    client, official, own_outlet, pers_livs_agreement, rundvik_agreement
):
    token = calendar_feed_renew(user=official, language="sv")
    _response, calendar = fetch(client, token)
    assert "Handlarn Rundvik" in str(calendar.to_ical().decode())

    # The official leaves the office and runs Pers Livs instead.
    official.role = Role.SHOP_OWNER
    official.save()
    official.outlets.set([own_outlet])

    response, calendar = fetch(client, token)
    text = response.content.decode()
    assert "Handlarn Rundvik" not in text
    assert "Pers Livs" in text
    assert not any(uid.startswith("decision-") for uid in events_by_uid(calendar))


def test_a_shop_owners_feed_holds_their_report_payout_and_notice_deadline_but_not_the_decision(  # noqa: E501
    client, shop_owner, pers_livs_agreement, rundvik_agreement
):
    token = calendar_feed_renew(user=shop_owner, language="sv")

    response, calendar = fetch(client, token)

    events = events_by_uid(calendar)
    agreement = pers_livs_agreement
    _decision, deadline, period = term_dates(agreement)
    notice = events[f"notice-{agreement.pk}-{period.number}@servicepunkter.example"]
    assert notice.decoded("DTSTART") == deadline
    followup = in_window(agreement.followups.all())
    report = events[f"followup-{followup.pk}@servicepunkter.example"]
    assert str(report["SUMMARY"]) == (
        f"Årsrapport senast: Pers Livs, avtalsår {followup.agreement_year}"
    )
    assert str(report["URL"]) == SITE + reverse(
        "followup:report", kwargs={"pk": followup.pk}
    )
    payout = in_window(agreement.payouts.all())
    assert f"payout-{payout.pk}@servicepunkter.example" in events
    assert not any(uid.startswith("decision-") for uid in events)
    assert "Handlarn Rundvik" not in response.content.decode()


def test_the_feed_speaks_the_language_chosen_when_the_address_was_made(
    client, official, pers_livs_agreement
):
    token = calendar_feed_renew(user=official, language="en")

    _response, calendar = fetch(client, token)

    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any(s.startswith("Last day to give notice: Pers Livs") for s in summaries)
    assert str(calendar["X-WR-CALNAME"]) == "Servicepunkter: deadlines"


def test_fetching_too_often_is_refused_and_counted_per_address(
    client, settings, official
):
    settings.CALENDAR_FEED_FETCHES_PER_HOUR = 2
    cache.clear()
    token = calendar_feed_renew(user=official, language="sv")
    fetch(client, token)
    fetch(client, token)

    response = client.get(feed_path(token))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    cache.clear()


def test_the_refusal_speaks_the_feeds_language(client, settings, official):
    settings.CALENDAR_FEED_FETCHES_PER_HOUR = 1
    cache.clear()
    token = calendar_feed_renew(user=official, language="en")
    fetch(client, token)

    response = client.get(feed_path(token))

    assert response.status_code == 429
    assert response.content.decode() == "Too many requests: try again in an hour."
    cache.clear()


def test_notice_given_ends_the_decision_dates_and_notice_deadlines_with_the_agreements_end(  # noqa: E501
    client, official, shop_owner, pers_livs_agreement
):
    """Like Handlarn Nyåker in the demo: notice given in time for the current
    period's end. Nothing is left to decide or extend: the feed shows the day the
    agreement ends instead of that period's decision date and notice deadline."""
    agreement = pers_livs_agreement
    ref = agreement.reference
    _decision, _deadline, period = term_dates(agreement)
    agreement = agreement_give_notice(
        agreement=agreement,
        by=official,
        given_on=timezone.localdate(),
        given_by="municipality",
        reason="",
    )
    assert agreement.ends_on == period.ends_on

    for person in (official, shop_owner):
        token = calendar_feed_renew(user=person, language="sv")
        _response, calendar = fetch(client, token)

        events = events_by_uid(calendar)
        assert not any(uid.startswith(("decision-", "notice-")) for uid in events)
        summaries = [str(event["SUMMARY"]) for event in events.values()]
        assert not any(
            s.startswith(("Beslutsdatum", "Sista dag för uppsägning"))
            for s in summaries
        )
        end = events[f"end-{agreement.pk}@servicepunkter.example"]
        assert end.decoded("DTSTART") == agreement.ends_on
        assert str(end["SUMMARY"]) == f"Avtalet upphör: Pers Livs ({ref})"
        assert str(end["DESCRIPTION"]).startswith(
            f"Uppsägning gjordes {timezone.localdate().isoformat()}: avtalet "
        )
        assert str(end["URL"]) == SITE + agreement.get_absolute_url()


def test_the_address_reaches_neither_the_security_log_nor_the_audit_trail(
    client, official, pers_livs_agreement
):
    token = calendar_feed_renew(user=official, language="sv")
    # Opened in the browser where the person is signed in.
    client.force_login(official)
    fetch(client, token)
    client.get(feed_path(token + "x"))

    assert not SecurityEvent.objects.filter(path__contains=token).exists()
    assert not SecurityEvent.objects.filter(detail__contains=token).exists()
    assert not Context.objects.filter(metadata__url__contains=token).exists()
    assert CalendarFeed.objects.get(user=official).last_used_at is not None


def test_a_log_line_naming_the_address_is_written_without_the_secret():
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/calendar/s3cr3t-T0ken_value.ics",),
        None,
    )
    assert FeedAddressFilter().filter(record)
    assert record.getMessage() == "Internal Server Error: /calendar/[address].ics"


def reached_handlers(logger):
    """The handlers that a line logged on `logger` is written by."""
    while logger:
        yield from logger.handlers
        if not logger.propagate:
            return
        logger = logger.parent


@pytest.mark.parametrize(
    ("logger_name", "level", "line", "args"),
    [
        # runserver's access log, as django.core.servers.basehttp writes it.
        (
            "django.server",
            logging.INFO,
            '"%s" %s %s',
            ("GET /calendar/s3cr3t-T0ken_value.ics HTTP/1.1", "200", "512"),
        ),
        ("django.request", logging.ERROR, "Internal Server Error: %s", None),
        ("django", logging.WARNING, "Something about %s", None),
        ("calendarfeed.views", logging.WARNING, "Fetched %s", None),
    ],
)
def test_no_log_handler_writes_the_address(logger_name, level, line, args):
    logger = logging.getLogger(logger_name)
    handlers = [
        handler
        for handler in reached_handlers(logger)
        # pytest's own capture of the test's log, not the app's.
        if not type(handler).__module__.startswith("_pytest")
    ]
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, FeedAddressFilter) for f in handler.filters)
    streams = {}
    for handler in handlers:
        if isinstance(handler, logging.StreamHandler):
            streams[handler] = handler.setStream(io.StringIO())
    try:
        logger.log(
            level,
            line,
            *(args or ("/calendar/s3cr3t-T0ken_value.ics",)),
            extra={"status_code": 200},
        )
        written = "".join(handler.stream.getvalue() for handler in streams)
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)
    assert "/calendar/[address].ics" in written
    assert "s3cr3t" not in written


# The profile page's section and its two actions.


def test_making_the_address_shows_it_once_on_the_profile_page(client, official):
    client.force_login(official)

    response = client.post(reverse("calendarfeed:renew"), follow=True)

    assert response.redirect_chain[-1][0].endswith("/accounts/profile/#calendar-feed")
    page = response.content.decode()
    assert "Din kalenderadress är skapad." in page
    assert "Kopiera adressen nu: den visas bara den här gången." in page
    feed = CalendarFeed.objects.get(user=official)
    address = response.context["panels"][0].context["address"]
    assert address.startswith(SITE + "/calendar/") and address.endswith(".ics")
    assert address in page
    secret = address.removeprefix(SITE + "/calendar/").removesuffix(".ics")
    assert feed.token_hash == token_hash(secret)
    assert feed.language == "sv"

    again = client.get(reverse("accounts:profile")).content.decode()
    assert secret not in again
    assert "Senast hämtad" in again


def test_making_a_new_address_and_turning_it_off_from_the_profile_page(
    client, official
):
    client.force_login(official)
    old = calendar_feed_renew(user=official, language="sv")

    response = client.post(reverse("calendarfeed:renew"), follow=True)
    assert "Den gamla fungerar inte längre." in response.content.decode()
    assert client.get(feed_path(old)).status_code == 404

    response = client.post(reverse("calendarfeed:revoke"), follow=True)
    assert "Din kalenderadress är avstängd." in response.content.decode()
    assert not CalendarFeed.objects.filter(user=official).exists()
    assert "Av: ingen adress är skapad." in response.content.decode()
    # The administrators' security log says who made and turned off an address.
    logged = SecurityEvent.objects.filter(
        user=official, kind__startswith="calendar_feed"
    ).order_by("at", "pk")
    assert list(logged.values_list("kind", "path", "detail")) == [
        (
            EventKind.CALENDAR_FEED_MADE,
            "/calendar/address/new/",
            "replaces the earlier address",
        ),
        (EventKind.CALENDAR_FEED_TURNED_OFF, "/calendar/address/off/", ""),
    ]
    assert all(event.municipality == official.municipality for event in logged)


def test_the_profile_page_shows_the_calendar_feed_in_swedish_and_english(
    client, official
):
    client.force_login(official)
    swedish = client.get(reverse("accounts:profile")).content.decode()
    assert "Kalenderprenumeration" in swedish
    assert "Skapa en kalenderadress" in swedish

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("calendarfeed:renew"))
    english = client.get(reverse("accounts:profile")).content.decode()
    assert "Calendar feed" in english
    assert "Make a new address" in english
    assert "Turn off the calendar feed" in english
    assert CalendarFeed.objects.get(user=official).language == "en"


def test_the_system_owner_has_no_calendar_feed(client, system_owner):
    client.force_login(system_owner)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Kalenderprenumeration" not in page
    assert client.post(reverse("calendarfeed:renew")).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_a_shop_owner_and_a_regional_viewer_make_their_address(
    client, shop_owner, regional_viewer
):
    for user in (shop_owner, regional_viewer):
        client.force_login(user)
        response = client.post(reverse("calendarfeed:renew"))
        assert response.status_code == 302
        assert CalendarFeed.objects.filter(user=user).exists()


def test_the_feed_reads_the_same_few_queries_however_many_agreements(
    client, official, pers_livs_agreement, django_assert_max_num_queries
):
    token = calendar_feed_renew(user=official, language="sv")
    with CaptureQueriesContext(connection) as one:
        fetch(client, token)
    for name in ("Handlarn Rundvik", "Handlarn Nyåker", "ICA Lundins"):
        agreement_with_deadlines(OutletFactory(name=name))
    with django_assert_max_num_queries(len(one.captured_queries)):
        _response, calendar = fetch(client, token)
    assert len({uid.split("-")[1] for uid in events_by_uid(calendar)}) > 4


def test_a_name_with_line_breaks_and_separators_stays_text_in_its_event(
    client, official, own_outlet, pers_livs_agreement
):
    hostile = "Pers Livs\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Falsk; x, y"
    Outlet.objects.filter(pk=own_outlet.pk).update(name=hostile)
    token = calendar_feed_renew(user=official, language="sv")

    _response, calendar = fetch(client, token)

    events = events_by_uid(calendar)
    assert all("UID" in event for event in calendar.walk("VEVENT"))
    assert len(events) == len(calendar.walk("VEVENT"))
    summaries = [str(event["SUMMARY"]) for event in events.values()]
    notices = [summary for summary in summaries if "uppsägning" in summary]
    # Line breaks come back as the text's own (LF): still inside the summary.
    as_text = hostile.replace("\r\n", "\n")
    assert notices and all(as_text in summary for summary in notices)


def test_a_regional_viewers_feed_holds_the_countys_municipalities_not_another_county(
    client, regional_viewer, pers_livs_agreement, umea_agreement
):
    agreement_with_deadlines(
        OutletFactory(name="Butiken i Norrtälje", municipality=municipality("0188"))
    )
    token = calendar_feed_renew(user=regional_viewer, language="sv")

    response, calendar = fetch(client, token)

    text = response.content.decode()
    assert "Pers Livs" in text
    assert "Lanthandeln i Umeå" in text
    assert "Norrtälje" not in text
    assert any(uid.startswith("decision-") for uid in events_by_uid(calendar))


def test_a_change_recorded_while_the_feed_is_served_names_no_secret_in_its_context(
    client, official, monkeypatch
):
    """Nothing the feed writes today is in the audit trail; should that change, the
    context of the change names the feed's path without the secret."""
    token = calendar_feed_renew(user=official, language="sv")

    def fetched_and_a_tracked_change(*, feed):
        feed.user.full_name = "Anna Berg"
        feed.user.save()

    monkeypatch.setattr(views, "calendar_feed_fetched", fetched_and_a_tracked_change)
    fetch(client, token)

    contexts = Context.objects.filter(metadata__url__startswith="/calendar/")
    assert list(contexts.values_list("metadata__url", flat=True)) == [
        views.REDACTED_PATH
    ]
