"""Managing users (issue 16): the list, a user's page, invitations, roles,
deactivation; and the invitee's own page to set a first password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, FormView, ListView
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import (
    InvitationPasswordForm,
    ShopOwnerInviteForm,
    UserInviteForm,
    UserRoleForm,
)
from accounts.models import Invitation, Role, User, UserOutlets
from accounts.permissions import (
    can_invite_shop_owner,
    can_invite_users,
    can_manage_user,
    can_view_users,
)
from accounts.services import (
    invitation_accept,
    invitation_resend,
    user_deactivate,
    user_invite,
    user_reactivate,
    user_role_change,
)
from core.forms import form_add_service_errors, show_errors
from core.history import history_of
from core.views import RolePermissionMixin
from outlets.models import Outlet

# The token of the invitation being used, kept out of the address once checked
# (as Django's password reset does), so the page never leaks it to a referer.
INVITATION_TOKEN = "invitation_token"


class UserListView(RolePermissionMixin, ListView):
    permission_check = staticmethod(can_view_users)
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            User.objects.visible_to(self.request.user)
            .annotate(
                has_two_factor=Exists(
                    TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
                )
            )
            .select_related("municipality", "county", "invitation")
            .prefetch_related("outlets")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_invite=can_invite_users(self.request.user), **kwargs
        )


class UserDetailView(RolePermissionMixin, DetailView):
    """A user's role, access and history, with what the viewer may change."""

    permission_check = staticmethod(can_view_users)
    template_name = "accounts/user_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return User.objects.visible_to(self.request.user).select_related(
            "municipality", "county"
        )

    def get_context_data(self, **kwargs):
        person = self.object
        invitation = Invitation.objects.filter(user=person).first()
        return super().get_context_data(
            can_manage=can_manage_user(self.request.user, person),
            invitation=invitation,
            awaits_password=not person.has_usable_password(),
            history=history_of([person], models=[User, UserOutlets]),
            **kwargs,
        )


class UserInviteView(RolePermissionMixin, FormView):
    permission_check = staticmethod(can_invite_users)
    template_name = "accounts/user_invite.html"
    form_class = UserInviteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invitation_days=settings.INVITATION_VALID_DAYS, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            person = user_invite(
                by=self.request.user,
                email=data["email"],
                full_name=data["full_name"],
                language=data["language"],
                request=self.request,
                **form.role_data(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("An invitation has been sent to %(email)s.") % {"email": person.email},
        )
        return redirect("accounts:user_detail", pk=person.pk)


class ShopOwnerInviteView(RolePermissionMixin, FormView):
    """An official invites the shop owner of an outlet from its page."""

    permission_check = staticmethod(can_invite_shop_owner)
    template_name = "accounts/shop_owner_invite.html"
    form_class = ShopOwnerInviteForm

    @cached_property
    def outlet(self):
        return get_object_or_404(
            Outlet.objects.editable_by(self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outlet=self.outlet, invitation_days=settings.INVITATION_VALID_DAYS, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            person = user_invite(
                by=self.request.user,
                email=data["email"],
                full_name=data["full_name"],
                language=data["language"],
                role=Role.SHOP_OWNER,
                municipality=self.outlet.municipality,
                outlets=[self.outlet],
                request=self.request,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("An invitation has been sent to %(email)s.") % {"email": person.email},
        )
        return redirect(self.outlet)


class ManagedUserMixin(RolePermissionMixin):
    """A user the viewer manages; anyone else is not found."""

    permission_check = staticmethod(can_view_users)

    @cached_property
    def person(self):
        return get_object_or_404(
            User.objects.managed_by(self.request.user), pk=self.kwargs["pk"]
        )


class UserRoleChangeView(ManagedUserMixin, FormView):
    template_name = "accounts/user_role_form.html"
    form_class = UserRoleForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "actor": self.request.user,
            "person": self.person,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        try:
            user_role_change(
                by=self.request.user,
                user=self.person,
                request=self.request,
                **form.role_data(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The role of %(name)s has been changed.") % {"name": self.person},
        )
        return redirect("accounts:user_detail", pk=self.person.pk)


def _managed_person(request, pk):
    if not can_view_users(request.user):
        raise Http404
    return get_object_or_404(User.objects.managed_by(request.user), pk=pk)


@require_POST
def user_deactivate_view(request, pk):
    person = _managed_person(request, pk)
    user_deactivate(by=request.user, user=person, request=request)
    messages.success(
        request,
        _("%(name)s has been deactivated and can no longer sign in.")
        % {"name": person},
    )
    return redirect("accounts:user_detail", pk=person.pk)


@require_POST
def user_reactivate_view(request, pk):
    person = _managed_person(request, pk)
    user_reactivate(by=request.user, user=person, request=request)
    messages.success(request, _("%(name)s has been reactivated.") % {"name": person})
    return redirect("accounts:user_detail", pk=person.pk)


@require_POST
def invitation_resend_view(request, pk):
    person = _managed_person(request, pk)
    try:
        invitation_resend(by=request.user, user=person, request=request)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            _(
                "A new invitation has been sent to %(email)s; the earlier link no "
                "longer works."
            )
            % {"email": person.email},
        )
    return redirect("accounts:user_detail", pk=person.pk)


@login_not_required
@require_safe
def invitation_accept_view(request, token):
    """The link from the e-mail: a usable token is kept in the session and the
    visitor sent on to choose their password."""
    if Invitation.objects.by_token(token) is None:
        return render(request, "accounts/invitation_password.html", {"form": None})
    request.session[INVITATION_TOKEN] = token
    return redirect("accounts:invitation_password")


@method_decorator(login_not_required, name="dispatch")
class InvitationPasswordView(FormView):
    """The invitee chooses their password and is signed in."""

    template_name = "accounts/invitation_password.html"
    form_class = InvitationPasswordForm

    @cached_property
    def invitation(self):
        token = self.request.session.get(INVITATION_TOKEN)
        if not token:
            return None
        return Invitation.objects.by_token(token)

    def dispatch(self, request, *args, **kwargs):
        if self.invitation is None:
            request.session.pop(INVITATION_TOKEN, None)
            return render(request, self.template_name, {"form": None})
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.invitation.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.invitation.user, **kwargs)

    def form_valid(self, form):
        try:
            user = invitation_accept(
                invitation=self.invitation,
                password=form.cleaned_data["new_password1"],
                request=self.request,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        self.request.session.pop(INVITATION_TOKEN, None)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Your password is set. Welcome!"))
        return redirect("start")
