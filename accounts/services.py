"""Managing users in the app (issue 16): invitations by e-mail, roles, deactivation.

Every change is in the user's history (django-pghistory, with who made it) and in
the security log. An invitation is a stored, hashed token rather than Django's
password-reset token: that one cannot be made to last seven days while the reset
link lasts one, nor be replaced by sending it again (its only state is the
password hash and the last sign-in, which do not change when it is resent).
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import MUNICIPAL_ROLES, Invitation, Role, User, roles_assignable_by
from accounts.permissions import can_manage_user
from securitylog.models import EventKind
from securitylog.services import security_event_record


def _role_and_scope_check(*, by, role, municipality, county, outlets) -> None:
    """Refuse a role the actor does not give, a municipality or county outside
    their reach, and outlets of another municipality than the shop owner's."""
    errors = {}
    if role not in roles_assignable_by(by):
        errors["role"] = ValidationError(
            _("You cannot give this role."), code="role_not_assignable"
        )
    elif role in MUNICIPAL_ROLES:
        if municipality is None:
            errors["municipality"] = ValidationError(
                _("Choose the municipality the user works for."),
                code="municipality_missing",
            )
        elif not by.is_system_owner and municipality.pk != by.municipality_id:
            errors["municipality"] = ValidationError(
                _("You can only give roles in %(municipality)s.")
                % {"municipality": by.municipality},
                code="other_municipality",
            )
    elif role == Role.REGIONAL_VIEWER and county is None:
        errors["county"] = ValidationError(
            _("Choose the county the regional viewer reads."), code="county_missing"
        )
    if role == Role.SHOP_OWNER and "municipality" not in errors:
        if not outlets:
            errors["outlets"] = ValidationError(
                _("Choose the outlets the shop owner runs."), code="outlets_missing"
            )
        elif any(outlet.municipality_id != municipality.pk for outlet in outlets):
            errors["outlets"] = ValidationError(
                _("Choose outlets of the shop owner's own municipality."),
                code="other_municipality",
            )
    if errors:
        raise ValidationError(errors)


def _role_fields_set(user, *, role, municipality, county):
    """Only what the role has: a municipality, a county, or neither."""
    user.role = role
    user.is_superuser = False
    user.municipality = municipality if role in MUNICIPAL_ROLES else None
    user.county = county if role == Role.REGIONAL_VIEWER else None


def _log(*, kind=EventKind.USER_CHANGED, request, by, user, detail):
    security_event_record(
        kind=kind,
        request=request,
        user=by,
        municipality_id=user.municipality_id,
        detail=f"{user.email}: {detail}",
    )


@transaction.atomic
def user_invite(
    *,
    by: User,
    email: str,
    full_name: str,
    role: str,
    municipality=None,
    county=None,
    outlets: Iterable = (),
    language: str = settings.LANGUAGE_CODE,
    request=None,
) -> User:
    """Create the account of a new user, without a password, and send them a
    link to set one (valid INVITATION_VALID_DAYS days, once)."""
    outlets = list(outlets)
    _role_and_scope_check(
        by=by, role=role, municipality=municipality, county=county, outlets=outlets
    )
    user = User(email=email, full_name=full_name)
    _role_fields_set(user, role=role, municipality=municipality, county=county)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    if role == Role.SHOP_OWNER:
        user.outlets.set(outlets)
    _invitation_send(by=by, user=user, language=language, request=request)
    _log(request=request, by=by, user=user, detail=f"invited as {role}")
    return user


@transaction.atomic
def invitation_resend(*, by: User, user: User, request=None) -> Invitation:
    """A new link for a user who has not set a password yet; the earlier link
    stops working."""
    if not can_manage_user(by, user):
        raise PermissionDenied
    if user.has_usable_password():
        raise ValidationError(
            _(
                "%(name)s has set a password already. If they have forgotten it, "
                "they reset it from the sign-in page."
            )
            % {"name": user},
            code="password_set",
        )
    if not user.is_active:
        raise ValidationError(
            _("Reactivate the user before inviting them again."), code="inactive"
        )
    existing = Invitation.objects.filter(user=user).first()
    language = existing.language if existing else settings.LANGUAGE_CODE
    invitation = _invitation_send(by=by, user=user, language=language, request=request)
    _log(request=request, by=by, user=user, detail="invitation sent again")
    return invitation


def _invitation_send(*, by, user, language, request) -> Invitation:
    invitation, _created = Invitation.objects.select_for_update().get_or_create(
        user=user, defaults={"language": language}
    )
    token = invitation.token_renew()
    invitation.created_by = by
    invitation.save()
    path = reverse("accounts:invitation_accept", kwargs={"token": token})
    link = (
        request.build_absolute_uri(path)
        if request is not None
        else getattr(settings, "SITE_URL", "") + path
    )
    transaction.on_commit(
        lambda: invitation_mail_send(
            user=user, by=by, link=link, language=invitation.language
        )
    )
    return invitation


def invitation_mail_send(*, user, by, link, language) -> None:
    """The invitation in the invitee's language, as plain text."""
    with translation.override(language):
        context = {
            "name": user.full_name,
            "inviter": by.full_name if by else "",
            "role": user.get_role_display().lower(),
            "place": user.municipality or user.county or "",
            "link": link,
            "days": settings.INVITATION_VALID_DAYS,
        }
        subject = _("Your account in Servicepunkter")
        body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str, request=None) -> User:
    """The invitee sets their password; the link is used up."""
    invitation = (
        Invitation.objects.usable()
        .select_for_update()
        .filter(pk=invitation.pk)
        .select_related("user")
        .first()
    )
    if invitation is None:
        raise ValidationError(
            _("The link is no longer valid: it has been used already or is too old."),
            code="invitation_invalid",
        )
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    security_event_record(
        kind=EventKind.USER_CHANGED,
        request=request,
        user=user,
        detail=f"{user.email}: invitation used, password set",
    )
    return user


@transaction.atomic
def user_role_change(
    *,
    by: User,
    user: User,
    role: str,
    municipality=None,
    county=None,
    outlets: Iterable = (),
    request=None,
) -> User:
    """Give the user another role, municipality, county or outlets."""
    if not can_manage_user(by, user):
        raise PermissionDenied
    outlets = list(outlets)
    _role_and_scope_check(
        by=by, role=role, municipality=municipality, county=county, outlets=outlets
    )
    fields = ("role", "municipality_id", "county_id")
    before = {name: getattr(user, name) for name in fields}
    outlets_before = set(user.outlets.values_list("pk", flat=True))
    _role_fields_set(user, role=role, municipality=municipality, county=county)
    user.full_clean()
    user.save()
    user.outlets.set(outlets if role == Role.SHOP_OWNER else [])
    changes = [
        f"{name.removesuffix('_id')} {before[name]} -> {getattr(user, name)}"
        for name in fields
        if before[name] != getattr(user, name)
    ]
    if set(user.outlets.values_list("pk", flat=True)) != outlets_before:
        changes.append("outlets")
    _log(request=request, by=by, user=user, detail=", ".join(changes) or "unchanged")
    return user


@transaction.atomic
def user_deactivate(*, by: User, user: User, request=None) -> User:
    """The user can no longer sign in; their open sessions end at once."""
    if not can_manage_user(by, user):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_sessions_end(user=user)
    _log(request=request, by=by, user=user, detail="deactivated")
    return user


@transaction.atomic
def user_reactivate(*, by: User, user: User, request=None) -> User:
    if not can_manage_user(by, user):
        raise PermissionDenied
    user.is_active = True
    user.save(update_fields=["is_active"])
    _log(request=request, by=by, user=user, detail="reactivated")
    return user


def user_sessions_end(*, user: User) -> int:
    """Delete the user's sessions (database sessions, each at most
    SESSION_MAX_HOURS old, so the scan stays short). Returns how many."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended
