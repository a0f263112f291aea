"""The limit on request bodies: refused by the declared length, before any is read."""

from wsgiref.util import is_hop_by_hop

import pytest
from django.core.files.uploadhandler import StopUpload
from django.urls import reverse

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "limit-test-boundary"
FILE_PART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()
END = f"\r\n--{BOUNDARY}--\r\n".encode()


class CountedUpload:
    """A multipart body of `size` bytes (a file of zeros) made as it is read,
    counting what is read; nothing of that size is ever held in memory."""

    def __init__(self, size):
        self.size = size
        self.read_bytes = 0

    def _byte_range(self, start, stop):
        zeros_end = self.size - len(END)
        head = FILE_PART[start : min(stop, len(FILE_PART))]
        zeros = max(0, min(stop, zeros_end) - max(start, len(FILE_PART)))
        tail_start = max(start, zeros_end) - zeros_end
        tail = END[tail_start : max(0, stop - zeros_end)]
        return head + b"\0" * zeros + tail

    def read(self, size=-1):
        left = self.size - self.read_bytes
        size = left if size is None or size < 0 else min(size, left)
        chunk = self._byte_range(self.read_bytes, self.read_bytes + size)
        self.read_bytes += size
        return chunk

    def readline(self, size=-1):
        return self.read(min(64 * 1024, size if size and size > 0 else 64 * 1024))


def post_declaring(client, path, size, **extra):
    body = CountedUpload(size)
    response = client.generic(
        "POST",
        path,
        data=b"-",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": body},
        **extra,
    )
    return response, body


def test_anonymous_300_mb_post_to_the_sign_in_page_is_refused_before_it_is_read(
    client, monkeypatch
):
    spooled = []

    def spool(handler, *args, **kwargs):
        # Counted, then stopped: a failing run need not write 300 MB to disk.
        spooled.append(args)
        raise StopUpload(connection_reset=True)

    monkeypatch.setattr(
        "django.core.files.uploadhandler.TemporaryFileUploadHandler.new_file", spool
    )
    response, body = post_declaring(client, reverse("accounts:login"), 300 * MB)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert spooled == []
    page = response.content.decode()
    assert "Det som skickades är större än sidan tar emot (högst 1,0\xa0MB)" in page
    # A hop-by-hop header is refused by WSGI servers (wsgiref answered 500).
    assert not [name for name, _ in response.items() if is_hop_by_hop(name)]


def test_anonymous_post_just_over_one_megabyte_is_refused_and_one_under_is_read(
    client,
):
    response, body = post_declaring(client, reverse("accounts:login"), MB + 1)
    assert response.status_code == 413
    assert body.read_bytes == 0
    response, body = post_declaring(client, reverse("accounts:login"), MB - 1)
    assert response.status_code != 413
    assert body.read_bytes == MB - 1


def test_the_refusal_is_in_english_for_someone_who_chose_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, _ = post_declaring(client, reverse("accounts:login"), 300 * MB)
    assert "What was sent is larger than this page accepts (at most 1.0" in (
        response.content.decode()
    )


def test_a_chunked_body_without_a_length_is_refused(client):
    response = client.generic(
        "POST",
        reverse("accounts:login"),
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert "hur stort" in response.content.decode()


def test_signed_in_users_may_send_five_megabytes_to_an_ordinary_page(
    client, administrator
):
    client.force_login(administrator)
    response, body = post_declaring(client, reverse("start"), 5 * MB)
    assert response.status_code != 413
    response, body = post_declaring(client, reverse("start"), 5 * MB + 1)
    assert response.status_code == 413
    assert body.read_bytes == 0
    # The page still shows who is signed in.
    assert administrator.full_name in response.content.decode()


def test_the_outlet_import_takes_its_file_limit_and_two_megabytes_for_the_form(
    client, administrator, settings
):
    settings.OUTLET_IMPORT_MAX_BYTES = 2 * MB
    client.force_login(administrator)
    path = reverse("outlets:outlet_import")
    response, body = post_declaring(client, path, 4 * MB)
    assert response.status_code != 413
    assert body.read_bytes == 4 * MB
    response, body = post_declaring(client, path, 4 * MB + 1)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "4,0\xa0MB" in response.content.decode()


@pytest.mark.parametrize(
    "view_name", ["followup:site_photo_add", "agreements:agreement_sign_paper"]
)
def test_other_upload_pages_refuse_more_than_their_file_limit_and_the_form(
    client, administrator, settings, view_name
):
    client.force_login(administrator)
    limit = settings.REQUEST_MAX_BYTES_BY_VIEW[view_name]
    path = reverse(view_name, args=[1])
    extra = settings.REQUEST_UPLOAD_FORM_BYTES
    response, body = post_declaring(client, path, limit + extra + 1)
    assert response.status_code == 413
    assert body.read_bytes == 0
