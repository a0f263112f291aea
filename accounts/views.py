import base64
import logging
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView
from django_otp.plugins.otp_totp.models import default_key

from accounts.forms import (
    CurrentPasswordForm,
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    ThrottledPasswordChangeForm,
    TwoFactorCodeForm,
)
from accounts.lockout import account_address
from accounts.middleware import SIGNED_OUT_BECAUSE
from accounts.models import User
from accounts.panels import profile_panels
from accounts.permissions import can_reset_two_factor
from accounts.throttles import throttle_allows
from accounts.two_factor import (
    VERIFY,
    has_two_factor,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_changed,
    totp_device_confirm,
    totp_device_unsaved,
    two_factor_remove,
    two_factor_reset,
    two_factor_verify,
)
from core.requests import client_address
from core.views import RolePermissionMixin
from securitylog.models import EventKind
from securitylog.services import security_event_record

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            signed_out_because=self.request.session.pop(SIGNED_OUT_BECAUSE, None),
            idle_minutes=settings.SESSION_IDLE_MINUTES,
            max_hours=settings.SESSION_MAX_HOURS,
            **kwargs,
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ThrottledPasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_record(kind=EventKind.PASSWORD_CHANGED, request=self.request)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        """Over a limit nothing is sent, and the answer is the page a sent mail gets:
        it never tells whether the address has an account."""
        client = client_address(self.request)
        address = account_address(form.cleaned_data["email"])
        if throttle_allows(
            "password-reset-client", client, settings.PASSWORD_RESET_MAILS_PER_CLIENT
        ) and throttle_allows(
            "password-reset-address",
            address,
            settings.PASSWORD_RESET_MAILS_PER_ADDRESS,
        ):
            return super().form_valid(form)
        logger.warning("Password reset throttled for a client or an address.")
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        security_event_record(
            kind=EventKind.PASSWORD_RESET, request=self.request, user=form.user
        )
        return response


class ProfileView(TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            has_two_factor=has_two_factor(user),
            recovery_codes_left=recovery_codes_left(user),
            panels=profile_panels(request=self.request),
            **kwargs,
        )


# Recovery codes just made, shown once on the next page.
NEW_RECOVERY_CODES = "new_recovery_codes"
# The key of an app being set up, until a code from it confirms it.
PENDING_TOTP_KEY = "pending_totp_key"


def next_url(request, default="start"):
    """Where the user was going before a two-factor step, if it is this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
        REDIRECT_FIELD_NAME, ""
    )
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default) if default else ""


def without_code(form):
    """A refused form shown again with an empty code field: a one-time code is
    typed anew, never corrected."""
    form.data = form.data.copy()
    form.data["code"] = ""
    return form


class TwoFactorSetupView(FormView):
    """Set up an authenticator app: scan the QR code (or type the key), then give
    one code from it. Replaces the earlier app of a user who already has one."""

    template_name = "accounts/two_factor_setup.html"
    form_class = TwoFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            key = request.session.setdefault(PENDING_TOTP_KEY, default_key())
            self.device = totp_device_unsaved(user=request.user, key=key)
            self.replacing = has_two_factor(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        # Replacing the app takes the password too: a session left open is not
        # enough to take over the second factor.
        password_of = self.request.user if self.replacing else None
        return {**super().get_form_kwargs(), "password_of": password_of}

    def get_context_data(self, **kwargs):
        key = base64.b32encode(self.device.bin_key).decode().rstrip("=")
        qr_code = segno.make(self.device.config_url, error="m")
        return super().get_context_data(
            # segno writes only its own path data and our attributes: no user text.
            qr_code=mark_safe(qr_code.svg_inline(scale=5, border=2, omitsize=True)),
            key_groups=[key[start : start + 4] for start in range(0, len(key), 4)],
            # On the phone itself: the app opens from this link instead of a scan.
            app_link=self.device.config_url,
            replacing=self.replacing,
            next=next_url(self.request, default=""),
            **kwargs,
        )

    def form_invalid(self, form):
        return super().form_invalid(without_code(form))

    def form_valid(self, form):
        codes = totp_device_confirm(
            request=self.request, device=self.device, code=form.cleaned_data["code"]
        )
        if codes is None:
            form.add_error(
                "code",
                forms.ValidationError(
                    _(
                        "That code is not the one your app shows now. Check that the "
                        "phone's clock is right and give the code that shows now."
                    ),
                    code="wrong_code",
                ),
            )
            return self.form_invalid(form)
        self.request.session.pop(PENDING_TOTP_KEY, None)
        self.request.session[NEW_RECOVERY_CODES] = codes
        messages.success(self.request, _("Two-factor sign-in is on."))
        target = reverse("accounts:recovery_codes")
        following = next_url(self.request, default="")
        if following:
            target += "?" + urlencode({REDIRECT_FIELD_NAME: following})
        return redirect(target)


class TwoFactorVerifyView(FormView):
    """The second step of signing in: a code from the app or a recovery code."""

    template_name = "accounts/two_factor_verify.html"
    form_class = TwoFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.two_factor_step != VERIFY:
            # Nothing to check: passed already, or no app to ask a code from.
            return redirect(next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "recovery": True}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            next=next_url(self.request, default=""), **kwargs
        )

    def form_valid(self, form):
        result = two_factor_verify(request=self.request, code=form.cleaned_data["code"])
        if result.verified:
            return redirect(next_url(self.request))
        if result.wait_seconds:
            message = ngettext(
                "Too many wrong codes in a row. Wait %(seconds)d second and try again.",
                "Too many wrong codes in a row. Wait %(seconds)d seconds and try "
                "again.",
                result.wait_seconds,
            ) % {"seconds": result.wait_seconds}
            code = "throttled"
        else:
            message = _(
                "The code is wrong. Give the code your app shows now, or an unused "
                "recovery code."
            )
            code = "wrong_code"
        form.add_error("code", forms.ValidationError(message, code=code))
        return self.form_invalid(form)

    def form_invalid(self, form):
        return super().form_invalid(without_code(form))


class RecoveryCodesView(TemplateView):
    """Recovery codes: new ones are shown once, right after they are made."""

    template_name = "accounts/recovery_codes.html"

    def dispatch(self, request, *args, **kwargs):
        if not has_two_factor(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            codes=self.request.session.pop(NEW_RECOVERY_CODES, None),
            codes_left=recovery_codes_left(self.request.user),
            next=next_url(self.request, default=""),
            form=form or CurrentPasswordForm(self.request.user),
            **kwargs,
        )

    def post(self, request):
        form = CurrentPasswordForm(request.user, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        request.session[NEW_RECOVERY_CODES] = recovery_codes_renew(user=request.user)
        second_factor_changed(user=request.user, request=request)
        security_event_record(kind=EventKind.RECOVERY_CODES_RENEWED, request=request)
        messages.success(
            request, _("New recovery codes are made; the old ones no longer work.")
        )
        return redirect("accounts:recovery_codes")


class TwoFactorRemoveView(TemplateView):
    """Turn two-factor sign-in off, for those whose role does not require it."""

    template_name = "accounts/two_factor_remove.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.requires_two_factor or not has_two_factor(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            form=form or CurrentPasswordForm(self.request.user), **kwargs
        )

    def post(self, request):
        form = CurrentPasswordForm(request.user, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        two_factor_remove(user=request.user, request=request)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("accounts:profile")


def users_page(user):
    """Where the user manages users: the system owner in the Django admin."""
    if user.is_system_owner:
        return reverse("admin:accounts_user_changelist")
    return reverse("accounts:user_list")


class TwoFactorResetView(RolePermissionMixin, TemplateView):
    """An administrator resets a colleague's second factor, e.g. after a lost
    phone: the colleague sets up a new app at their next sign-in."""

    permission_check = staticmethod(can_reset_two_factor)
    template_name = "accounts/two_factor_reset.html"

    @cached_property
    def person(self):
        """A colleague the administrator manages; never themselves (their own app
        is changed under My account)."""
        user = self.request.user
        return get_object_or_404(
            User.objects.editable_by(user).exclude(pk=user.pk), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person,
            has_two_factor=has_two_factor(self.person),
            users_page=users_page(self.request.user),
            **kwargs,
        )

    def post(self, request, pk):
        two_factor_reset(actor=request.user, user=self.person, request=request)
        messages.success(
            request,
            _(
                "The second factor of %(name)s is reset. They set up a new app at "
                "their next sign-in."
            )
            % {"name": self.person},
        )
        return redirect(users_page(request.user))
