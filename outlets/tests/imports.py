"""Driving the outlet import's pages in tests: the upload and the confirm, with
the background job they queue run at once by its service function (tests that
run a real worker are in test_import_runs.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from outlets.import_runs import outlet_import_check, outlet_import_store_run


def upload(client, data, name="lista.csv", **fields):
    """Post the file; when the upload is accepted, check it as the job does and
    return the run's page (else the form with its errors)."""
    response = client.post(
        reverse("outlets:outlet_import"),
        {"file": SimpleUploadedFile(name, data), **fields},
    )
    if response.status_code != 302:
        return response
    outlet_import_check(run_id=resolve(response["Location"]).kwargs["pk"])
    return client.get(response["Location"])


def confirm(client, page):
    """Confirm the run a page shows, store it as the job does; the run's page."""
    run = page.context["run"]
    response = client.post(reverse("outlets:outlet_import_run_confirm", args=[run.pk]))
    assert response["Location"] == run.get_absolute_url()
    outlet_import_store_run(run_id=run.pk)
    return client.get(response["Location"])
