from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.throttles import throttle_count, throttle_hit
from core.forms import NoColonMixin


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
