"""Appending to the security log. Every app records its events here; the log imports
no app above core (its foreign keys name the user and municipality models)."""

from core.requests import client_address, is_ip_address
from securitylog.models import EventKind, SecurityEvent

FIELD_MAX = 500


def security_event_record(
    *,
    kind: EventKind,
    request=None,
    user=None,
    email: str = "",
    municipality_id=None,
    detail: str = "",
) -> SecurityEvent:
    """Append one event. From a request come its signed-in user (unless `user` is
    given), the client's address and the page; the entry belongs to the log of the
    user's municipality unless `municipality_id` is given."""
    path = ""
    ip_address = None
    if request is not None:
        if user is None and getattr(request, "user", None) is not None:
            user = request.user if request.user.is_authenticated else None
        path = request.get_full_path()[:FIELD_MAX]
        address = client_address(request)
        ip_address = address if is_ip_address(address) else None
    if user is not None:
        email = email or user.email
        if municipality_id is None:
            municipality_id = user.municipality_id
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        email=email[:254],
        municipality_id=municipality_id,
        ip_address=ip_address,
        path=path,
        detail=detail[:FIELD_MAX],
    )
