import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.views.generic import ListView, TemplateView

from accounts.forms import (
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    ThrottledPasswordChangeForm,
)
from accounts.lockout import account_address, client_address
from accounts.middleware import SIGNED_OUT_BECAUSE
from accounts.models import User
from accounts.permissions import can_view_users
from accounts.throttles import throttle_allows
from core.views import RolePermissionMixin

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


class ProfileView(TemplateView):
    template_name = "accounts/profile.html"


class UserListView(RolePermissionMixin, ListView):
    permission_check = staticmethod(can_view_users)
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            User.objects.visible_to(self.request.user)
            .select_related("municipality")
            .prefetch_related("outlets")
        )
