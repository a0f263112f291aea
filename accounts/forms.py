from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User, roles_assignable_by
from accounts.throttles import throttle_count, throttle_hit
from core.forms import NoColonMixin
from outlets.models import County, Municipality, Outlet


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with e-mail address and password."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is wrong. Note that the password "
            "is case-sensitive."
        ),
        "inactive": _("This account is no longer active."),
    }


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "municipality", "county"]


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = [
            "email",
            "full_name",
            "role",
            "municipality",
            "county",
            "outlets",
            "is_active",
            "is_superuser",
        ]


class EmailPasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ThrottledPasswordChangeForm(auth_forms.PasswordChangeForm):
    """The old password may be guessed wrong PASSWORD_CHANGE_FAILURE_LIMIT times an
    hour; after that it is refused unchecked, right or wrong."""

    THROTTLE = "password-change"

    def clean_old_password(self):
        if (
            throttle_count(self.THROTTLE, self.user.pk)
            >= settings.PASSWORD_CHANGE_FAILURE_LIMIT
        ):
            raise forms.ValidationError(
                _(
                    "Too many wrong attempts at your current password. Wait an hour "
                    "and try again, or sign out and reset your password by e-mail."
                ),
                code="throttled",
            )
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            throttle_hit(self.THROTTLE, self.user.pk)
            raise


class CurrentPasswordMixin:
    """Asks for the current password before a change to how one signs in (ASVS
    3.7.1), within the password-change form's limit on wrong guesses."""

    def add_current_password(self, user):
        self.user = user
        self.fields["current_password"] = forms.CharField(
            label=_("Your password"),
            strip=False,
            help_text=_("To be sure it is you who makes the change."),
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        throttle = ThrottledPasswordChangeForm.THROTTLE
        if throttle_count(throttle, self.user.pk) >= (
            settings.PASSWORD_CHANGE_FAILURE_LIMIT
        ):
            raise forms.ValidationError(
                _(
                    "Too many wrong attempts at your current password. Wait an hour "
                    "and try again."
                ),
                code="throttled",
            )
        if not self.user.check_password(password):
            throttle_hit(throttle, self.user.pk)
            raise forms.ValidationError(
                _("That is not your password."), code="wrong_password"
            )
        return password


class CurrentPasswordForm(CurrentPasswordMixin, NoColonMixin, forms.Form):
    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_current_password(user)


class TwoFactorCodeForm(CurrentPasswordMixin, NoColonMixin, forms.Form):
    """A code from the authenticator app, or, where `recovery` allows, a recovery
    code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, recovery=False, password_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        if password_of is not None:
            self.add_current_password(password_of)
        field = self.fields["code"]
        if recovery:
            # The second step of signing in: the code is all there is to do.
            field.widget.attrs["autofocus"] = True
            field.help_text = _(
                "The six digits your authenticator app shows now, or one of your "
                "recovery codes."
            )
        else:
            field.help_text = _("The six digits your authenticator app shows now.")
            field.widget.attrs["inputmode"] = "numeric"


class RoleFieldsMixin:
    """The role and where it applies, offered as far as the actor reaches: an
    administrator their municipality's roles and outlets, the system owner
    administrators of any municipality and regional viewers of any county. A
    forged choice beyond that is refused with the field's message."""

    def add_role_fields(self, actor, *, roles=None):
        self.actor = actor
        roles = roles or roles_assignable_by(actor)
        labels = dict(Role.choices)
        self.fields["role"] = forms.ChoiceField(
            label=_("Role"),
            choices=[(role, labels[role]) for role in roles],
            widget=forms.RadioSelect,
            error_messages={
                "invalid_choice": _("You cannot give this role."),
            },
        )
        if actor.is_system_owner:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=_("Municipality"),
                queryset=Municipality.objects.order_by("name"),
                required=False,
                help_text=_("For an administrator."),
            )
            self.fields["county"] = forms.ModelChoiceField(
                label=_("County"),
                queryset=County.objects.all(),
                required=False,
                help_text=_("For a regional viewer."),
            )
        else:
            # Shown as text: one's own municipality is the only choice.
            self.fields["municipality"] = forms.ModelChoiceField(
                queryset=Municipality.objects.filter(pk=actor.municipality_id),
                initial=actor.municipality_id,
                widget=forms.HiddenInput,
                error_messages={
                    "invalid_choice": _("You can only give roles in %(municipality)s.")
                    % {"municipality": actor.municipality},
                    "required": _("You can only give roles in %(municipality)s.")
                    % {"municipality": actor.municipality},
                },
            )
        if Role.SHOP_OWNER in roles:
            self.fields["outlets"] = forms.ModelMultipleChoiceField(
                label=_("Outlets run"),
                queryset=Outlet.objects.filter(
                    municipality_id=actor.municipality_id
                ).order_by("name"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("For a shop owner: the outlets they run."),
                error_messages={
                    "invalid_choice": _("Choose outlets of your own municipality."),
                },
            )

    def role_data(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "municipality": data.get("municipality"),
            "county": data.get("county"),
            "outlets": list(data.get("outlets") or []),
        }


class NewUserFieldsMixin:
    def add_new_user_fields(self):
        self.fields["full_name"] = forms.CharField(
            label=_("Name"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
        self.fields["email"] = forms.EmailField(
            label=_("E-mail address"),
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the invitation"),
            choices=settings.LANGUAGES,
            initial=settings.LANGUAGE_CODE,
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "A user with this e-mail address exists already. Each person "
                    "has one account; to change their role, open them in the "
                    "list of users."
                ),
                code="email_in_use",
            )
        return email


class UserInviteForm(NewUserFieldsMixin, RoleFieldsMixin, NoColonMixin, forms.Form):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_new_user_fields()
        self.add_role_fields(actor)
        self.order_fields(["full_name", "email", "language", "role"])


class ShopOwnerInviteForm(NewUserFieldsMixin, NoColonMixin, forms.Form):
    """The shop owner of the outlet whose page it is: name, address, language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_new_user_fields()


class UserRoleForm(RoleFieldsMixin, NoColonMixin, forms.Form):
    def __init__(self, *args, actor, person, **kwargs):
        initial = {
            "role": person.role,
            "municipality": person.municipality_id,
            "county": person.county_id,
            "outlets": list(person.outlets.values_list("pk", flat=True)),
        }
        if not actor.is_system_owner:
            initial["municipality"] = actor.municipality_id
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.add_role_fields(actor)


class InvitationPasswordForm(NoColonMixin, auth_forms.SetPasswordForm):
    """The first password, under the project's password rules."""
