"""Sign-ins, sign-outs, failed sign-ins and lockouts, from Django's and axes'
signals."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from securitylog.models import EventKind
from securitylog.services import security_event_record


def account_of(address):
    """The account a typed address reaches, as sign-in finds it, if any."""
    if not address:
        return None
    return get_user_model().objects.filter(email__iexact=address.strip()).first()


@receiver(user_logged_in, dispatch_uid="securitylog-signed-in")
def signed_in(sender, request, user, **kwargs):
    if request is not None:
        security_event_record(kind=EventKind.SIGNED_IN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="securitylog-signed-out")
def signed_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        security_event_record(kind=EventKind.SIGNED_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="securitylog-sign-in-failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = (credentials or {}).get("username", "") or ""
    account = account_of(typed)
    security_event_record(
        kind=EventKind.SIGN_IN_FAILED,
        request=request,
        email=typed.strip(),
        municipality_id=account.municipality_id if account else None,
        detail="" if account else "no such account",
    )


@receiver(user_locked_out, dispatch_uid="securitylog-locked-out")
def locked_out(sender, request, username, ip_address, **kwargs):
    account = account_of(username)
    security_event_record(
        kind=EventKind.LOCKED_OUT,
        request=request,
        email=(username or "").strip(),
        municipality_id=account.municipality_id if account else None,
    )
