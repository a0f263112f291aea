"""Erasure (GDPR art. 17, Swedish: *radering*) by anonymisation in place.

A person no longer needed keeps their row, so that what points at it (who signed,
who approved a payout) still resolves, but nothing of them stays but what the
archive rules keep: the name on a signed agreement and its signature are a public
record. The registry says which fields are blanked (`erasable_fields`); the history
of those fields is scrubbed under `erasure_allowed()`, the one way past the
history's protection trigger (core.triggers), and the security log says what was
erased, never the values.
"""

from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from agreements.models import Agreement, Signature
from calendarfeed.services import calendar_feed_revoke
from core.triggers import erasure_allowed
from outlets.models import OutletContact, OutletImportRun
from privacy.registry import erasable_fields
from securitylog.models import EventKind, SecurityEvent
from securitylog.services import security_event_record


@dataclass
class Erasure:
    """What an erasure removed and what it kept, for the log and the message."""

    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = "removed: " + ", ".join(self.removed)
        if self.kept:
            text += "; kept: " + ", ".join(self.kept)
        return text


def can_erase_user(actor, person) -> bool:
    """Administrators erase the users of their municipality, the system owner
    anyone; nobody erases themselves."""
    return (
        actor.is_authenticated
        and (actor.is_administrator or actor.is_system_owner)
        and actor.pk != person.pk
        and User.objects.editable_by(actor).filter(pk=person.pk).exists()
    )


def agreements_binding(user):
    """Signed agreements not yet ended that the user is party to: as the owner of
    the outlet, or as the signatory for the service point."""
    today = timezone.localdate()
    # Signed in the app by the person themselves; a paper signature's user is the
    # official who recorded it, not a party.
    signed_as_party = Signature.objects.filter(
        user=user, side=Signature.Side.PARTY, method=Signature.Method.IN_APP
    ).values("version__agreement")
    return (
        Agreement.objects.signed()
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(Q(outlet__owners=user) | Q(pk__in=signed_as_party))
        .select_related("outlet")
        .distinct()
    )


def user_erasure_refusal(user) -> str | None:
    """Why the user cannot be erased now, in words for the administrator; None when
    they can."""
    agreement = agreements_binding(user).first()
    if agreement is None:
        return None
    return _(
        "%(name)s is party to the agreement %(reference)s with %(outlet)s, which is "
        "in force. The account can be erased when the agreement has ended."
    ) % {
        "name": user.full_name or user.email,
        "reference": agreement.reference_display,
        "outlet": agreement.outlet.name,
    }


def import_previews_naming(email, name="") -> int:
    """Cut the outlet-import previews that name the person (their contact rows) down
    to their counts; the number cut."""
    naming = Q()
    for value in (email, name):
        if value:
            naming |= Q(text__icontains=value)
    if not naming:
        return 0
    runs = (
        OutletImportRun.objects.annotate(text=Cast("preview", TextField()))
        .filter(naming)
        .only("pk", "preview")
    )
    count = 0
    for run in runs:
        run.preview = {"counts": run.preview.get("counts", {})}
        run.save(update_fields=["preview"])
        count += 1
    return count


def signed_agreements_naming(user):
    """Signed agreements whose signatures name the user: kept as public records."""
    return Agreement.objects.filter(
        versions__signatures__user=user, versions__signed_at__isnull=False
    ).distinct()


def history_scrub(*, model, filters: Q) -> int:
    """Blank the erasable fields of the model's history rows that match `filters`;
    the number of rows changed."""
    names = erasable_fields(model)
    if not names:
        return 0
    not_blank = Q()
    for name in names:
        not_blank |= ~Q(**{name: ""})
    changed = 0
    with erasure_allowed():
        for event_model in event_models(model):
            changed += (
                event_model.objects.filter(filters)
                .filter(not_blank)
                .update(**dict.fromkeys(names, ""))
            )
    return changed


def event_models(model):
    """The pghistory event models that copy the model's fields."""
    return [
        candidate
        for candidate in apps.get_models()
        if getattr(candidate, "pgh_tracked_model", None) is model
    ]


def user_sessions_delete(user) -> int:
    """End every session the user has (the database sessions hold the user's id)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_erase(*, user: User, by: User, reason: str) -> Erasure:
    """Anonymise the user in place: the account is deactivated, its e-mail address
    becomes raderad-<id>@invalid, the name is blanked, the password unusable, the
    sessions, second factors and outlet links removed, so are the contact persons
    with the same e-mail address; the address and detail of security-log entries
    naming them are blanked (the entries stay); the history of those fields is
    scrubbed. Refused while the user is party to an
    agreement in force. Signatures and signed documents are kept."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not can_erase_user(by, user):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Write why the account is erased.")}, code="required"
        )
    refusal = user_erasure_refusal(user)
    if refusal:
        raise ValidationError(refusal, code="agreement_in_force")
    return user_anonymise(user=user, by=by, reason=reason)


def user_anonymise(*, user: User, by: User | None, reason: str) -> Erasure:
    """The erasure itself, once allowed (also retention's, with no one acting)."""
    erasure = Erasure()
    old_email = user.email
    if old_email and not user.is_erased:
        contacts = OutletContact.objects.filter(email__iexact=old_email)
        contact_ids = list(contacts.values_list("pk", flat=True))
        if contact_ids:
            contacts.delete()
            history_scrub(model=OutletContact, filters=Q(pgh_obj_id__in=contact_ids))
            erasure.removed.append(f"{len(contact_ids)} contact person(s)")
        previews = import_previews_naming(old_email, user.full_name)
        if previews:
            erasure.removed.append(f"{previews} import preview(s)")
        # The entries stay, as the record of who did what and when (the account
        # they point at is anonymised below); the address typed and any detail
        # naming the person are blanked.
        detail_naming = Q(detail__icontains=old_email)
        if user.full_name:
            detail_naming |= Q(detail__icontains=user.full_name)
        with erasure_allowed():
            addresses = SecurityEvent.objects.filter(email__iexact=old_email).update(
                email=""
            )
            details = SecurityEvent.objects.filter(detail_naming).update(detail="")
        erasure.removed.append(
            f"address in {addresses} and detail of {details} security-log entries"
        )
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=old_email).delete()

    outlets = user.outlets.count()
    user.outlets.clear()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    calendar_feed_revoke(user=user)
    sessions = user_sessions_delete(user)
    user.email = user.erased_email
    for name in erasable_fields(User):
        if name != "email":
            setattr(user, name, "")
    user.is_active = False
    user.set_unusable_password()
    user.second_factor_changed_at = timezone.now()
    user.save()
    scrubbed = history_scrub(model=User, filters=Q(pgh_obj_id=user.pk))
    erasure.removed += [
        "e-mail address, name, password",
        f"{outlets} outlet link(s)",
        "second factors",
        f"{sessions} session(s)",
        f"{scrubbed} history entries",
    ]
    kept = signed_agreements_naming(user).count()
    if kept:
        erasure.kept.append(f"signatures on {kept} signed agreement(s)")

    security_event_record(
        kind=EventKind.USER_CHANGED,
        user=by,
        municipality_id=user.municipality_id,
        detail=f"user #{user.pk} erased ({reason[:150]}): {erasure.summary()}",
    )
    return erasure


def can_erase_contact(actor, contact) -> bool:
    return actor.is_authenticated and actor.manages(contact.outlet.municipality_id)


@transaction.atomic
def contact_erase(*, contact: OutletContact, by: User, reason: str) -> Erasure:
    """Remove a contact person and blank their name, e-mail address and phone in
    the outlet's history."""
    if not can_erase_contact(by, contact):
        raise PermissionDenied
    municipality_id = contact.outlet.municipality_id
    pk = contact.pk
    previews = import_previews_naming(contact.email, contact.name)
    contact.delete()
    scrubbed = history_scrub(model=OutletContact, filters=Q(pgh_obj_id=pk))
    erasure = Erasure(
        removed=[
            "contact person",
            f"{scrubbed} history entries",
            f"{previews} import preview(s)",
        ]
    )
    security_event_record(
        kind=EventKind.USER_CHANGED,
        user=by,
        municipality_id=municipality_id,
        detail=f"contact person #{pk} erased ({reason[:150]}): {erasure.summary()}",
    )
    return erasure
