"""The daily check of a share of the stored agreement documents."""

from datetime import date

from django.db.models import F, Q

from agreements.models import AgreementVersion

# Each day checks the versions whose id is the day of the month modulo this: every
# month has at least this many days, so every document is checked at least monthly.
DOCUMENT_CHECK_CYCLE_DAYS = 28


def agreement_documents_check_share(*, today: date) -> int:
    """Check today's share of the stored agreement documents (frozen and signed)
    against their recorded SHA-256, as a download does; a missing or changed one is
    logged and mailed to the system owners. Returns the number that failed."""
    from agreements.documents import DocumentIntegrityError, stored_document_open

    versions = (
        AgreementVersion.objects.exclude(Q(document="") & Q(signed_document=""))
        .alias(turn=F("id") % DOCUMENT_CHECK_CYCLE_DAYS)
        .filter(turn=today.day % DOCUMENT_CHECK_CYCLE_DAYS)
        .order_by("pk")
    )
    failed = 0
    for version in versions.iterator():
        for document, sha256 in (
            (version.document, version.document_sha256),
            (version.signed_document, version.signed_document_sha256),
        ):
            if not document:
                continue
            try:
                stored_document_open(document, sha256=sha256, served=False).close()
            except DocumentIntegrityError:
                failed += 1
    return failed
