from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.views.generic import ListView, TemplateView

from accounts.forms import EmailAuthenticationForm, EmailPasswordResetForm
from accounts.models import User
from accounts.permissions import can_view_users
from core.views import RolePermissionMixin


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


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
