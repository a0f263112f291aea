"""The request-body limits of the upload pages match what their forms accept."""

from django.urls import reverse

from followup.photos import MAX_UPLOAD_BYTES


def test_every_upload_page_in_the_limits_exists(settings):
    for view_name in settings.REQUEST_MAX_BYTES_BY_VIEW:
        assert reverse(
            view_name, args=[] if view_name.startswith(("outlets", "analysis")) else [1]
        )


def test_the_upload_pages_take_at_least_what_their_forms_accept(settings):
    limits = settings.REQUEST_MAX_BYTES_BY_VIEW
    assert limits["followup:site_photo_add"] == MAX_UPLOAD_BYTES
    # agreements.documents.PAPER_SCAN_MAX_BYTES: "The scan is larger than 20 MB."
    assert limits["agreements:agreement_sign_paper"] == 20_000_000
    assert limits["outlets:outlet_import"] == "OUTLET_IMPORT_MAX_BYTES"
