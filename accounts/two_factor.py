"""Two factors: a TOTP authenticator app with recovery codes (django-otp's devices).

The system owner and administrators must have one; anyone may add one. A session is
verified once a code from the user's device is given after the password; until then
TwoFactorMiddleware lets the user reach only the page of the step they owe.
"""

import logging
import math
from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from securitylog.models import EventKind
from securitylog.services import security_event_record

logger = logging.getLogger(__name__)

APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "recovery"

TOTP_DIGITS = 6

SETUP = "setup"
VERIFY = "verify"


def two_factor_step(user) -> str | None:
    """What a signed-in, not yet verified user owes: VERIFY when they have an
    authenticator app, SETUP when their role requires one, else nothing."""
    if has_two_factor(user):
        return VERIFY
    if user.requires_two_factor:
        return SETUP
    return None


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_unsaved(*, user, key: str | None = None) -> TOTPDevice:
    """An app not yet set up: its key for the set-up page, kept in the session
    until a code confirms it (nothing is stored before that)."""
    return TOTPDevice(
        user=user, name=APP_DEVICE_NAME, key=key or default_key(), confirmed=True
    )


def is_app_code(code: str) -> bool:
    """Six digits, as an authenticator app shows (ASCII: "²" is a digit to Python)."""
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


def normalise_code(code: str) -> str:
    """Codes as people type them: with spaces or hyphens, in either case."""
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Store the new app once a code from it is right: it replaces any earlier app,
    the session is verified, and fresh recovery codes are returned (shown once).
    None when the code is wrong."""
    code = normalise_code(code)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not (is_app_code(code) and totp.verify(int(code), tolerance=device.tolerance)):
        return None
    TOTPDevice.objects.filter(user=device.user).delete()
    # The code just given cannot be given again.
    device.last_t = totp.t()
    device.drift = totp.drift
    device.save()
    codes = recovery_codes_renew(user=device.user)
    session_verify(request, device)
    second_factor_changed(user=device.user, request=request)
    security_event_record(kind=EventKind.SECOND_FACTOR_SET_UP, request=request)
    return codes


@dataclass
class Verification:
    verified: bool
    # Seconds to wait before the next attempt is checked at all.
    wait_seconds: int = 0


@transaction.atomic
def two_factor_verify(*, request, code: str) -> Verification:
    """Check a code from the app (six digits) or a recovery code (eight letters
    and digits, used up) for the signed-in user, and verify the session when it is
    right. Every wrong code counts: the next attempt waits, twice as long each time."""
    user = request.user
    code = normalise_code(code)
    device_model = TOTPDevice if is_app_code(code) else StaticDevice
    devices = device_model.objects.select_for_update().filter(user=user, confirmed=True)
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            logger.warning("Second factor refused unchecked for user %s.", user.pk)
            security_event_record(
                kind=EventKind.SECOND_FACTOR_FAILED,
                request=request,
                detail="refused unchecked: too soon after a wrong code",
            )
            wait = details["locked_until"] - timezone.now()
            return Verification(
                verified=False, wait_seconds=max(1, math.ceil(wait.total_seconds()))
            )
        if device.verify_token(code):
            session_verify(request, device)
            security_event_record(
                kind=EventKind.SECOND_FACTOR_PASSED,
                request=request,
                detail="" if device_model is TOTPDevice else "with a recovery code",
            )
            return Verification(verified=True)
    logger.warning("Wrong second-factor code for user %s.", user.pk)
    security_event_record(kind=EventKind.SECOND_FACTOR_FAILED, request=request)
    return Verification(verified=False)


def second_factor_changed(*, user, request=None) -> None:
    """Note the change on the user: it ends their other sessions (see
    User._get_session_auth_hash); the session that made it stays signed in."""
    user.second_factor_changed_at = timezone.now()
    user.save(update_fields=["second_factor_changed_at"])
    if request is not None and request.user.pk == user.pk:
        update_session_auth_hash(request, user)


def session_verify(request, device):
    """The session passed its second factor: a new session key, as at sign-in."""
    request.session.cycle_key()
    django_otp.login(request, device)


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes, replacing any earlier ones; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def two_factor_remove(*, user, request=None) -> None:
    """Remove the user's app and recovery codes: their next sign-in asks for a new
    app if their role requires one, and for no code otherwise."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    second_factor_changed(user=user, request=request)
    if request is not None and request.user.pk == user.pk:
        security_event_record(kind=EventKind.SECOND_FACTOR_REMOVED, request=request)


@transaction.atomic
def two_factor_reset(*, actor, user, request=None) -> None:
    """An administrator resets a colleague's second factor (a lost phone): the
    colleague sets up a new app at their next sign-in."""
    two_factor_remove(user=user)
    logger.warning("Two factors reset for user %s by user %s.", user.pk, actor.pk)
    # Told at once, so that a reset they did not ask for does not go unnoticed.
    transaction.on_commit(lambda: reset_notice_send(actor=actor, user=user))
    security_event_record(
        kind=EventKind.SECOND_FACTOR_RESET,
        request=request,
        user=actor,
        municipality_id=user.municipality_id,
        detail=f"for {user.email}",
    )


def reset_notice_send(*, actor, user) -> None:
    subject = _("Your second factor in Servicepunkter was reset")
    body = _(
        "%(actor)s reset your second factor in Servicepunkter: your authenticator "
        "app and your recovery codes no longer work. At your next sign-in you set "
        "up a new app.\n\nIf you did not ask for this, tell %(actor)s or your "
        "municipality's IT security at once."
    ) % {"actor": actor}
    send_mail(subject, body, None, [user.email], fail_silently=True)
