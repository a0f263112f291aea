"""The annual dialogue and the site visit on the follow-up page: dates within the
agreement year and today, the checklist's wording, and photos."""

import io
import struct
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import UserFactory
from followup.models import AgreedAction, DialogueMeeting, SitePhoto, SiteVisit
from followup.services import followups_create_for, meeting_save
from followup.tests.factories import signed_agreement
from outlets.tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def followup(agreement):
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    return agreement.followups.get()


def detail_url(followup):
    return reverse("followup:followup_detail", kwargs={"pk": followup.pk})


def visit_data(followup, **overrides):
    from followup.models import ChecklistCriterion

    data = {"visit-visited_on": "2025-10-01", "visit-visitors": "Johan Berg"}
    for criterion in ChecklistCriterion.objects.filter(
        municipality=followup.agreement.municipality
    ):
        data[f"visit-result_{criterion.pk}"] = "ok"
    return data | overrides


def photo_file(format_name="JPEG", size=(1200, 900), name="skylt.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 60)).save(buffer, format=format_name)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_header(width, height, name="stor.png"):
    """A PNG that claims the given size: enough for Pillow to open, not to load."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, data, content_type="image/png")


def with_visit(followup, official):
    SiteVisit.objects.create(
        followup=followup, visited_on=date(2025, 10, 1), visitors="Johan Berg"
    )


@pytest.mark.parametrize(
    ("visited_on", "message"),
    [
        ("2099-05-01", "Datumet kan inte ligga i framtiden."),
        ("2024-12-31", "Datumet kan inte vara före avtalsårets början (2025-01-01)."),
    ],
)
def test_a_site_visit_in_the_future_or_before_the_year_is_refused(
    client, official, followup, visited_on, message
):
    client.force_login(official)

    response = client.post(
        reverse("followup:site_visit", kwargs={"pk": followup.pk}),
        visit_data(followup, **{"visit-visited_on": visited_on}),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SiteVisit.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "message"),
    [
        ("2099-05-01", "Datumet kan inte ligga i framtiden."),
        ("2019-03-01", "Datumet kan inte vara före avtalsårets början (2025-01-01)."),
    ],
)
def test_a_dialogue_in_the_future_or_before_the_year_is_refused(
    client, official, followup, held_on, message
):
    client.force_login(official)

    response = client.post(
        reverse("followup:meeting", kwargs={"pk": followup.pk}),
        {"meeting-held_on": held_on, "meeting-participants": "Per Lindberg"},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DialogueMeeting.objects.exists()


def test_the_page_says_overdue_open_and_remark_in_good_swedish(
    client, official, followup
):
    meeting_save(
        followup=followup,
        by=official,
        held_on=date(2025, 10, 1),
        participants="Per Lindberg",
    )
    client.force_login(official)
    client.post(
        reverse("followup:action_add", kwargs={"pk": followup.pk}),
        {
            "action-text": "Ny skylt",
            "action-party": "municipality",
            "action-responsible": "Kommunen",
        },
    )

    page = client.get(detail_url(followup)).content.decode()

    assert '<span class="badge badge--closed">Försenad</span>' in page
    assert "Försenade" not in page
    assert '<span class="badge badge--closed">Öppen</span>' in page
    assert "Öppet" not in page
    assert "Anmärkning om Skylt utanför:" in page
    assert "Anmärkning om: " not in page


def test_the_status_of_a_follow_up_not_yet_due_reads_aktuell(client, official):
    agreement = signed_agreement(starts_on=date.today().replace(month=1, day=1))
    followups_create_for(agreement=agreement)
    followup = agreement.followups.get()
    client.force_login(official)

    page = client.get(detail_url(followup)).content.decode()

    assert "<dt>Status</dt><dd>Aktuell</dd>" in page


def test_the_official_adds_a_photo_shown_as_a_thumbnail_with_its_alt_text(
    client, official, followup
):
    with_visit(followup, official)
    client.force_login(official)

    response = client.post(
        reverse("followup:site_photo_add", kwargs={"pk": followup.pk}),
        {"photo-image": photo_file(), "photo-caption": "Skylten vid vägen"},
    )

    assert response.status_code == 302
    photo = SitePhoto.objects.get()
    assert photo.thumbnail_width == 320
    page = client.get(detail_url(followup)).content.decode()
    assert "Fotot är tillagt." in page
    thumbnail = reverse(
        "followup:site_photo", kwargs={"pk": photo.pk, "size": "thumbnail"}
    )
    assert f'src="{thumbnail}" alt="Skylten vid vägen"' in page
    assert "/media/" not in page
    served = client.get(thumbnail)
    assert served["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.size == (320, 240)
    full = client.get(
        reverse("followup:site_photo", kwargs={"pk": photo.pk, "size": "full"})
    )
    assert full.status_code == 200
    # A photo may show people: no browser or proxy keeps a copy.
    assert served["Cache-Control"] == full["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("skylt.jpg", b"%PDF-1.7 not a photo"),
            "Filen är inte ett foto som vi kan läsa. Välj en bild i JPEG, PNG "
            "eller WebP.",
        ),
        (
            SimpleUploadedFile("skylt.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
            "Filen är inte ett foto som vi kan läsa.",
        ),
        (
            SimpleUploadedFile("stor.jpg", b"\xff\xd8" + b"0" * (16 * 1024 * 1024)),
            "Fotot är större än 15 MB.",
        ),
        # Above our limit; above Pillow's warning; above Pillow's own refusal.
        (png_header(8000, 8000), "Fotot har för många pixlar."),
        (png_header(10000, 10000), "Fotot har för många pixlar."),
        (png_header(20000, 20000), "Fotot har för många pixlar."),
    ],
    ids=["not-an-image", "gif", "huge", "8000px", "10000px", "20000px"],
)
def test_a_bad_or_huge_file_is_refused_with_a_message_and_nothing_stored(
    client, official, followup, upload, message, settings
):
    with_visit(followup, official)
    client.force_login(official)

    response = client.post(
        reverse("followup:site_photo_add", kwargs={"pk": followup.pk}),
        {"photo-image": upload, "photo-caption": "Skylten"},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SitePhoto.objects.exists()
    stored = settings.MEDIA_ROOT / "site_visits"
    assert not stored.exists() or not any(stored.iterdir())


def test_owner_b_and_the_owner_find_the_photo_missing(
    client, official, shop_owner, followup
):
    with_visit(followup, official)
    client.force_login(official)
    client.post(
        reverse("followup:site_photo_add", kwargs={"pk": followup.pk}),
        {"photo-image": photo_file(), "photo-caption": "Skylten vid vägen"},
    )
    photo = SitePhoto.objects.get()
    other = UserFactory(shop_owner=True, outlets=[OutletFactory(name="Rundvik")])

    for user in (other, shop_owner):
        client.force_login(user)
        for size in ("full", "thumbnail"):
            url = reverse("followup:site_photo", kwargs={"pk": photo.pk, "size": size})
            assert client.get(url).status_code == 404


def test_the_follow_up_page_keeps_a_history_in_words(client, official, followup):
    client.force_login(official)
    client.post(
        reverse("followup:meeting", kwargs={"pk": followup.pk}),
        {"meeting-held_on": "2025-10-01", "meeting-participants": "Per Lindberg"},
    )
    client.post(
        reverse("followup:meeting", kwargs={"pk": followup.pk}),
        {"meeting-held_on": "2025-10-02", "meeting-participants": "Per Lindberg"},
    )
    client.post(
        reverse("followup:site_visit", kwargs={"pk": followup.pk}),
        visit_data(followup),
    )

    page = client.get(detail_url(followup)).content.decode()

    history = page[page.index("Ändringshistorik") :]
    assert official.full_name in history
    assert "Årlig dialog ändrades: datum" in history
    assert "held_on" not in history
    # The checklist's nine results, saved together, are one line.
    assert "Resultat för kontrollpunkt skapades (9 gånger)" in history


def test_an_action_due_before_the_dialogue_meeting_is_refused(
    client, official, followup
):
    meeting_save(
        followup=followup,
        by=official,
        held_on=date(2025, 10, 1),
        participants="Per Lindberg",
    )
    client.force_login(official)
    url = reverse("followup:action_add", kwargs={"pk": followup.pk})
    data = {"action-text": "Ny skylt", "action-party": "municipality"}

    for too_early in ("2020-01-01", "2025-09-30"):
        response = client.post(url, data | {"action-due_on": too_early})

        assert response.status_code == 400
        assert (
            "En överenskommen åtgärd kan inte ha ett slutdatum före dialogmötet "
            "(2025-10-01)." in response.content.decode()
        )
    assert not AgreedAction.objects.exists()

    client.post(url, data | {"action-due_on": "2025-10-01"})
    assert AgreedAction.objects.get().due_on == date(2025, 10, 1)
