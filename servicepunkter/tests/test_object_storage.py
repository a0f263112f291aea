"""Files in object storage (issue 19): with a bucket named, signed agreements and
their paper scans, site-visit photos and outlet files waiting for confirmation are
stored in it, never under MEDIA_ROOT, and reach users only through the views that
check permission; a backup taken there restores into it; /readyz checks it.

Against a real S3-compatible server the tests start themselves: moto's server mode
(`s3_server` and `s3_storage` in the root conftest.py), spoken to over HTTP by
django-storages and boto3 as a deployment's bucket would be.
"""

import hashlib
import io
import re
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from accounts.tests.factories import TEST_PASSWORD
from agreements.demo import DEMO_SCAN
from agreements.services import agreement_mark_ready, agreement_sign
from agreements.tests.conftest import catalogue, draft, party  # noqa: F401
from agreements.tests.helpers import documents_made
from conftest import s3_client
from followup.models import SitePhoto, SiteVisit
from followup.services import followups_create_for
from followup.tests.factories import signed_agreement
from outlets.import_runs import PENDING_DIR
from outlets.models import Outlet, OutletImportRun
from outlets.tests import imports
from privacy.retention import pending_imports_remove
from servicepunkter.tests.test_backup import new_database, restore  # noqa: F401

pytestmark = pytest.mark.django_db

NORDMALING_SAMPLE = (
    django_settings.BASE_DIR / "outlets" / "data" / "outlets-nordmaling-excel-sv.csv"
)


def files_under_media_root(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [str(path) for path in root.rglob("*") if path.is_file()]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def private(s3_storage, key) -> bool:
    """The object's ACL grants nothing to anyone but its owner."""
    grants = s3_storage.client.get_object_acl(Bucket=s3_storage.bucket, Key=key)[
        "Grants"
    ]
    return all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)


# A signed agreement, its paper scan among its files.


@pytest.fixture
def ready(draft, official):  # noqa: F811
    agreement_mark_ready(agreement=draft, by=official)
    draft.refresh_from_db()
    return draft


def signed_with_a_paper_scan(agreement, official):
    agreement_sign(
        agreement=agreement,
        by=official,
        side="municipality",
        name=official.full_name,
        title="Handläggare",
        password=TEST_PASSWORD,
    )
    agreement_sign(
        agreement=agreement,
        by=official,
        side="party",
        name="Per Lindberg",
        title="VD",
        paper_scan=SimpleUploadedFile("scan.pdf", DEMO_SCAN),
    )
    # The signed document, as the background worker makes it.
    assert documents_made() == 1
    return agreement.first_version()


def document_url(version, kind="signed"):
    return reverse("agreements:agreement_document", args=[version.pk, kind])


def test_a_signed_agreement_is_stored_in_the_bucket_and_served_only_through_its_view(
    client, settings, s3_storage, official, umea_official, ready
):
    version = signed_with_a_paper_scan(ready, official)
    scan = version.signatures.get(side="party").paper_scan

    names = [version.document.name, version.signed_document.name, scan.name]
    assert s3_storage.names() == sorted(names)
    assert files_under_media_root(settings) == []
    stored = s3_storage.read(version.signed_document.name)
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == version.signed_document_sha256
    assert version.is_sealed
    # The scan, read back from the bucket, is attached to the signed document.
    embedded = PdfFileReader(io.BytesIO(stored)).root["/Names"]["/EmbeddedFiles"]
    assert embedded["/Names"][1]["/EF"]["/F"].data == s3_storage.read(scan.name)
    assert s3_storage.read(scan.name) == DEMO_SCAN
    assert all(private(s3_storage, name) for name in names)

    client.force_login(official)
    response = client.get(document_url(version))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body(response) == stored
    frozen = client.get(document_url(version, "frozen"))
    assert body(frozen) == s3_storage.read(version.document.name)

    client.force_login(umea_official)
    assert client.get(document_url(version)).status_code == 404
    assert client.get(document_url(version, "frozen")).status_code == 404


def test_a_document_changed_in_the_bucket_is_refused_as_on_disk(
    client, s3_storage, official, ready
):
    version = signed_with_a_paper_scan(ready, official)
    name = version.signed_document.name
    changed = bytearray(s3_storage.read(name))
    changed[len(changed) // 2] ^= 0x01
    s3_storage.client.put_object(Bucket=s3_storage.bucket, Key=name, Body=changed)

    client.force_login(official)
    response = client.get(document_url(version))

    assert response.status_code == 409
    assert "Dokumentet klarade inte kontrollen" in response.content.decode()


# A site-visit photo and its thumbnail.


def photo_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 120, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile("skylt.jpg", buffer.getvalue(), content_type="image/jpeg")


def photo_url(photo, size):
    return reverse("followup:site_photo", kwargs={"pk": photo.pk, "size": size})


def test_a_site_visit_photo_and_its_thumbnail_are_in_the_bucket_served_by_their_view(
    client, settings, s3_storage, official, umea_official, own_outlet
):
    agreement = signed_agreement(own_outlet)
    followups_create_for(agreement=agreement, today=date(2025, 6, 1))
    followup = agreement.followups.get()
    SiteVisit.objects.create(
        followup=followup, visited_on=date(2025, 10, 1), visitors="Johan Berg"
    )
    client.force_login(official)

    response = client.post(
        reverse("followup:site_photo_add", kwargs={"pk": followup.pk}),
        {"photo-image": photo_upload(), "photo-caption": "Skylten vid vägen"},
    )

    assert response.status_code == 302
    photo = SitePhoto.objects.get()
    assert s3_storage.names() == sorted([photo.image.name, photo.thumbnail.name])
    assert photo.image.name.startswith("site_visits/")
    assert files_under_media_root(settings) == []
    assert private(s3_storage, photo.image.name)
    for size, file in (("full", photo.image), ("thumbnail", photo.thumbnail)):
        served = client.get(photo_url(photo, size))
        assert served.status_code == 200
        assert served["Content-Type"] == "image/jpeg"
        assert body(served) == s3_storage.read(file.name)
    thumbnail = Image.open(io.BytesIO(s3_storage.read(photo.thumbnail.name)))
    assert thumbnail.size == (320, 240)

    client.force_login(umea_official)
    for size in ("full", "thumbnail"):
        assert client.get(photo_url(photo, size)).status_code == 404


# An outlet file between preview and confirmation.


def upload(client):
    """The Nordmaling sample uploaded and checked as its job does: the run's page."""
    return imports.upload(
        client, NORDMALING_SAMPLE.read_bytes(), name=NORDMALING_SAMPLE.name
    )


def test_an_outlet_file_waits_in_the_bucket_and_the_confirmation_reads_it_there(
    client, settings, s3_storage, administrator
):
    client.force_login(administrator)

    preview = upload(client)

    run = preview.context["run"]
    assert run.status == "previewed"
    assert run.preview["counts"]["new"] == 13
    assert run.stored_file.startswith(f"{PENDING_DIR}/")
    assert s3_storage.names() == [run.stored_file]
    assert s3_storage.read(run.stored_file) == NORDMALING_SAMPLE.read_bytes()
    assert files_under_media_root(settings) == []
    assert private(s3_storage, run.stored_file)
    assert Outlet.objects.count() == 0

    done = imports.confirm(client, preview)

    assert done.context["run"].status == "done"
    assert Outlet.objects.filter(municipality__code="2401").count() == 13
    assert s3_storage.names() == []


def test_a_confirmation_whose_file_is_gone_from_the_bucket_stores_nothing(
    client, s3_storage, administrator
):
    client.force_login(administrator)
    preview = upload(client)
    s3_storage.empty()

    response = client.post(
        reverse("outlets:outlet_import_run_confirm", args=[preview.context["run"].pk]),
        follow=True,
    )

    assert "Den uppladdade filen finns inte längre" in response.content.decode()
    assert OutletImportRun.objects.get().status == "failed"
    assert Outlet.objects.count() == 0


def test_outlet_files_never_confirmed_are_removed_from_the_bucket(
    client, s3_storage, administrator
):
    client.force_login(administrator)
    pending = upload(client).context["run"].stored_file

    # A bucket has no folders: the clean-up must not ask whether one exists.
    assert pending_imports_remove(now=timezone.now()) == 0
    assert s3_storage.names() == [pending]
    assert pending_imports_remove(now=timezone.now() + timedelta(days=2)) == 1
    assert s3_storage.names() == []


# Backup and restore through the storage API.


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_from_the_bucket_restores_into_it_and_downloads(
    client,
    tmp_path,
    s3_storage,
    new_database,  # noqa: F811
    official,
    ready,
):
    version = signed_with_a_paper_scan(ready, official)
    stored = {key: s3_storage.read(key) for key in s3_storage.names()}
    assert len(stored) == 3
    directory = tmp_path / "backup"
    call_command("backup", str(directory), stdout=io.StringIO())
    s3_storage.empty()

    restored = restore(
        directory,
        new_database(),
        tmp_path / "unused-media",
        environment=s3_storage.environment,
    )

    assert restored.returncode == 0, restored.stderr
    assert "Files: 3 restored, 3 match the manifest" in restored.stdout
    assert "Verified documents: 2 of 2 agreement documents intact" in restored.stdout
    assert {key: s3_storage.read(key) for key in s3_storage.names()} == stored
    assert not (tmp_path / "unused-media").exists()
    client.force_login(official)
    response = client.get(document_url(version))
    assert response.status_code == 200
    assert body(response) == stored[version.signed_document.name]


@pytest.mark.processes
@pytest.mark.django_db(transaction=True)
def test_a_restore_into_a_bucket_that_is_not_empty_is_refused(
    tmp_path,
    s3_storage,
    new_database,  # noqa: F811
):
    directory = tmp_path / "backup"
    call_command("backup", str(directory), stdout=io.StringIO())
    s3_storage.client.put_object(
        Bucket=s3_storage.bucket, Key="agreements/left.pdf", Body=b"%PDF-"
    )

    refused = restore(
        directory,
        new_database(),
        tmp_path / "unused-media",
        environment=s3_storage.environment,
    )

    assert refused.returncode == 1
    assert "The file storage 'default' is not empty (it holds agreements" in (
        refused.stderr
    )
    assert s3_storage.names() == ["agreements/left.pdf"]


# Readiness.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def s3_server_process(port: int) -> subprocess.Popen:
    """moto's server in a process of its own, answering on `port`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto's server did not start")


@pytest.fixture
def s3_server_of_its_own(settings, s3_storage):
    """The storage's bucket on an S3 server in a process of its own, which a test
    may stop (`.stop()`) and start again (`.start()`)."""
    port = free_port()
    endpoint_url = f"http://127.0.0.1:{port}"
    server = {}

    def start():
        server["process"] = s3_server_process(port)
        s3_client(endpoint_url).create_bucket(
            Bucket=s3_storage.bucket,
            CreateBucketConfiguration={
                "LocationConstraint": settings.AWS_S3_REGION_NAME
            },
        )

    def stop():
        server["process"].terminate()
        server["process"].wait(timeout=30)

    start()
    settings.AWS_S3_ENDPOINT_URL = endpoint_url
    settings.STORAGES = {**settings.STORAGES}  # a new storage, for the new address
    yield SimpleNamespace(start=start, stop=stop)
    if server["process"].poll() is None:
        stop()


@pytest.mark.processes
def test_readyz_is_200_with_the_bucket_503_with_its_server_stopped_200_once_back(
    client, s3_server_of_its_own, settings
):
    settings.READINESS_CACHE_SECONDS = 0
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"

    s3_server_of_its_own.stop()
    down = client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    assert down.json()["checks"]["storage"] == "failed"
    assert down.json()["checks"]["database"] == "ok"
    s3_server_of_its_own.start()
    back = client.get("/readyz")
    assert back.status_code == 200


# Settings and templates.


def test_a_bucket_in_the_environment_makes_private_s3_storage_else_the_local_disk():
    probe = (
        "import django; django.setup(); "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__module__, type(s).__name__); "
        "print(getattr(s, 'bucket_name', '-'), getattr(s, 'default_acl', '-'), "
        "getattr(s, 'file_overwrite', '-'), getattr(s, 'endpoint_url', '-')); "
        "c = getattr(s, 'client_config', None); "
        "print(c and (c.connect_timeout, c.retries))"
    )
    environment = {
        "AWS_STORAGE_BUCKET_NAME": "sp-files",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.se",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_S3_REGION_NAME": "eu-north-1",
    }

    def run(extra):
        import os

        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=django_settings.BASE_DIR,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                "DJANGO_SETTINGS_MODULE": "servicepunkter.settings",
                "DEBUG": "true",
                **extra,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    assert run(environment) == [
        "storages.backends.s3 S3Storage",
        "sp-files None False https://s3.example.se",
        "(5, {'mode': 'standard', 'max_attempts': 3})",
    ]
    assert run({})[0] == "django.core.files.storage.filesystem FileSystemStorage"


def test_no_template_or_module_hands_out_the_url_of_a_stored_file():
    """Stored files are served by views that check permission; a `.url` of one
    would be a bucket address (or MEDIA_URL) that bypasses them."""
    file_fields = {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    pattern = re.compile(
        r"\b(?:%s)\.url\b" % "|".join(sorted(file_fields))  # noqa: UP031
    )
    base = django_settings.BASE_DIR
    sources = [
        path
        for path in [*base.glob("templates/**/*.html"), *base.glob("*/**/*.py")]
        if ".venv" not in path.parts and "tests" not in path.parts
    ]
    found = [
        f"{path.relative_to(base)}: {match.group()}"
        for path in sources
        for match in pattern.finditer(path.read_text(errors="replace"))
    ]
    assert file_fields >= {"document", "signed_document", "paper_scan", "image"}
    assert found == []
