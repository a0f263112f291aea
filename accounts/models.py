import hashlib
import secrets
from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.triggers import history_append_only


class Role(models.TextChoices):
    SYSTEM_OWNER = "system_owner", _("System owner")
    ADMINISTRATOR = "administrator", _("Administrator")
    OFFICIAL = "official", _("Official")
    SHOP_OWNER = "shop_owner", _("Shop owner")
    REGIONAL_VIEWER = "regional_viewer", _("Regional viewer")


MUNICIPAL_ROLES = [Role.ADMINISTRATOR, Role.OFFICIAL, Role.SHOP_OWNER]


def roles_assignable_by(user, *, in_app=False) -> list[str]:
    """The roles a user gives others: an administrator those of their
    municipality, the system owner administrators and regional viewers, an
    official shop owners (invited from their outlet's page); nobody the system
    owner's. `in_app`: the roles of those one then manages (officials manage
    nobody)."""
    if not user.is_authenticated:
        return []
    if user.is_system_owner:
        return [Role.ADMINISTRATOR, Role.REGIONAL_VIEWER]
    if user.is_administrator:
        return [Role.OFFICIAL, Role.ADMINISTRATOR, Role.SHOP_OWNER]
    if user.is_official and not in_app:
        return [Role.SHOP_OWNER]
    return []


class UserQuerySet(models.QuerySet):
    def shop_owners(self):
        return self.filter(role=Role.SHOP_OWNER)

    def municipal_staff(self):
        """A municipality's administrators and officials."""
        return self.filter(role__in=[Role.ADMINISTRATOR, Role.OFFICIAL])

    def visible_to(self, user):
        """Users an administrator manages: those of their own municipality."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.filter(pk=user.pk)

    def editable_by(self, user):
        """Users whose account one administers: the system owner everyone's (in the
        Django admin), an administrator those of their own municipality."""
        if not user.is_authenticated:
            return self.none()
        if user.is_system_owner:
            return self
        if user.is_administrator:
            return self.filter(municipality_id=user.municipality_id)
        return self.none()

    def managed_by(self, user):
        """Users whose role and access one changes in the app: an administrator
        their municipality's administrators, officials and shop owners, the
        system owner administrators and regional viewers; never oneself."""
        if not user.is_authenticated:
            return self.none()
        return (
            self.editable_by(user)
            .filter(role__in=roles_assignable_by(user, in_app=True))
            .exclude(pk=user.pk)
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.SYSTEM_OWNER, is_superuser=True)
        return self.create_user(email, password, **fields)


# Who a user is and what they may do, with who changed it: never the password hash,
# the time of the last sign-in or the second factor (a snapshot of the hash would
# keep an old password crackable; sign-ins are in the security log). Updates of
# untracked fields alone make no event.
@pghistory.track(
    fields=["email", "full_name", "role", "municipality", "county", "is_active"],
    model_name="UserEvent",
    meta={"triggers": history_append_only(erasable=("email", "full_name"))},
)
class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in (Swedish: *användare*), with one role in the programme."""

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        "outlets.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("municipality"),
        help_text=_("Administrators, officials and shop owners work for one."),
    )
    county = models.ForeignKey(
        "outlets.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regional_viewers",
        verbose_name=_("county"),
        help_text=_("A regional viewer reads across the county's municipalities."),
    )
    outlets = models.ManyToManyField(
        "outlets.Outlet",
        blank=True,
        related_name="owners",
        verbose_name=_("outlets run"),
        help_text=_("The outlets a shop owner runs."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # When the second factor was last set up, replaced, reset or removed, or new
    # recovery codes made: part of the session hash, so the change ends every
    # other session of the user (a password thief's among them).
    second_factor_changed_at = models.DateTimeField(
        _("second factor changed"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="%(app_label)s_%(class)s_unique_email",
                violation_error_message=_("A user with this e-mail address exists."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="%(app_label)s_%(class)s_role_valid",
                violation_error_message=_("Choose one of the roles."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        role=Role.SYSTEM_OWNER,
                        is_superuser=True,
                        municipality__isnull=True,
                        county__isnull=True,
                    )
                    | Q(
                        role__in=MUNICIPAL_ROLES,
                        is_superuser=False,
                        municipality__isnull=False,
                        county__isnull=True,
                    )
                    | Q(
                        role=Role.REGIONAL_VIEWER,
                        is_superuser=False,
                        municipality__isnull=True,
                        county__isnull=False,
                    )
                ),
                name="%(app_label)s_%(class)s_role_scope",
                violation_error_code="role_scope",
                violation_error_message=_(
                    "The system owner belongs to no municipality; administrators, "
                    "officials and shop owners to one municipality; regional viewers "
                    "to one county."
                ),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    # An erased account's address (privacy.erasure): raderad-<id>@invalid, a domain
    # that never receives mail (RFC 2606).
    ERASED_EMAIL_DOMAIN = "invalid"

    @property
    def erased_email(self) -> str:
        return f"raderad-{self.pk}@{self.ERASED_EMAIL_DOMAIN}"

    @property
    def is_erased(self) -> bool:
        return self.email == self.erased_email

    def _get_session_auth_hash(self, secret=None):
        """Django's HMAC of the password hash, with the time the second factor last
        changed: changing either signs the user out everywhere else."""
        value = self.password
        if self.second_factor_changed_at is not None:
            value += ":" + self.second_factor_changed_at.isoformat()
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def is_staff(self):
        """Only the system owner reaches the Django admin."""
        return self.is_superuser

    @property
    def is_system_owner(self):
        return self.role == Role.SYSTEM_OWNER

    @property
    def is_administrator(self):
        return self.role == Role.ADMINISTRATOR

    @property
    def is_official(self):
        return self.role == Role.OFFICIAL

    @property
    def is_shop_owner(self):
        return self.role == Role.SHOP_OWNER

    @property
    def is_regional_viewer(self):
        return self.role == Role.REGIONAL_VIEWER

    @property
    def requires_two_factor(self):
        """Those who manage users and settings must sign in with a second factor."""
        return self.role in (Role.SYSTEM_OWNER, Role.ADMINISTRATOR)

    @property
    def reads_security_log(self):
        return self.role in (Role.SYSTEM_OWNER, Role.ADMINISTRATOR)

    @property
    def reads_all_base_data(self):
        """Staff read every outlet's base data: people shop across borders."""
        return self.role != Role.SHOP_OWNER

    @property
    def manages_users(self):
        """Administrators invite and manage their municipality's users; the
        system owner administrators and regional viewers."""
        return self.role in (Role.SYSTEM_OWNER, Role.ADMINISTRATOR)

    @property
    def is_municipal_staff(self):
        return self.role in (Role.ADMINISTRATOR, Role.OFFICIAL)

    def manages(self, municipality_id) -> bool:
        """Whether the user changes the municipality's records: its administrators
        and officials do; nobody else does."""
        return self.is_municipal_staff and self.municipality_id == municipality_id

    def managed_scope(self, prefix="municipality"):
        """`manages` as a filter: the records of the municipality the user manages.

        `prefix` is the path from the queried model to its municipality.
        """
        if self.is_municipal_staff:
            return Q(**{f"{prefix}_id": self.municipality_id})
        return Q(pk__in=[])

    def records_scope(self, prefix="municipality"):
        """A filter for records of the municipalities whose full records the user reads.

        `prefix` is the path from the queried model to its municipality.
        """
        if self.role == Role.SYSTEM_OWNER:
            return Q()
        if self.is_municipal_staff:
            return self.managed_scope(prefix)
        if self.role == Role.REGIONAL_VIEWER:
            return Q(**{f"{prefix}__county_id": self.county_id})
        return Q(pk__in=[])


# The outlets a shop owner runs, given or taken away, are changes of the user. The
# trigger sits on a proxy of the through table, as pgtrigger's migrations need.
@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class UserOutlets(User.outlets.through):
    class Meta:
        proxy = True


def token_hash(token: str) -> str:
    """What is stored of an invitation's token: a random 256-bit token needs no
    salt or slow hash to be safe from its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        """Invitations whose link still works: unused, younger than
        INVITATION_VALID_DAYS, for an active user."""
        return self.filter(
            used_at__isnull=True,
            created_at__gt=timezone.now()
            - timedelta(days=settings.INVITATION_VALID_DAYS),
            user__is_active=True,
        )

    def by_token(self, token: str):
        return self.usable().filter(token_hash=token_hash(token)).first()


class Invitation(models.Model):
    """A link to set one's password, sent by e-mail to a new user (Swedish:
    *inbjudan*). Only the token's hash is stored; sending it again replaces the
    token, so the earlier link stops working."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="invitation",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(
        _("language of the invitation"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="sv",
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return str(self.user)

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def is_expired(self):
        return self.used_at is None and self.expires_at <= timezone.now()

    def token_renew(self) -> str:
        """A new token for the link; returns it (shown nowhere, sent once)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = token_hash(token)
        self.created_at = timezone.now()
        self.used_at = None
        return token
