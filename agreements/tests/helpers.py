"""Signing as the tests need it: the signature, then what the background worker
does after the second one (the signed document rendered, sealed and stored)."""

from agreements.services import agreement_sign
from agreements.services.signed_documents import signed_documents_make_pending


def documents_made() -> int:
    """Make the signed documents the signings queued, as the worker would; the
    number made."""
    return signed_documents_make_pending()


def sign_completely(**kwargs):
    """`agreement_sign`, and once both sides have signed, the signed document made
    at once (as a worker makes it a moment later)."""
    agreement = agreement_sign(**kwargs)
    documents_made()
    return agreement
