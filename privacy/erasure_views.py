"""Pages that erase a person: a user (administrators, the system owner) and an
outlet's contact person (the municipality's administrators and officials). Each
confirms what will be removed and what kept, and asks why."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from accounts.models import User
from core.forms import form_add_service_errors
from core.views import RolePermissionMixin
from outlets.models import OutletContact
from privacy.erasure import (
    contact_erase,
    signed_agreements_naming,
    user_erase,
    user_erasure_refusal,
)


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this erased?"),
        help_text=gettext_lazy(
            "For example the person's request, or that the account is no longer "
            "needed. It is written in the security log."
        ),
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def can_erase_users(user) -> bool:
    """Administrators erase users of their municipality, the system owner anyone."""
    return user.is_authenticated and (user.is_administrator or user.is_system_owner)


def users_page(user):
    if user.is_system_owner:
        return reverse("admin:accounts_user_changelist")
    return reverse("accounts:user_list")


class UserEraseView(RolePermissionMixin, FormView):
    permission_check = staticmethod(can_erase_users)
    form_class = ErasureForm
    template_name = "privacy/erasure_user.html"

    @cached_property
    def person(self):
        """A user the administrator manages; never themselves."""
        user = self.request.user
        return get_object_or_404(
            User.objects.editable_by(user).exclude(pk=user.pk), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person,
            refusal=user_erasure_refusal(self.person),
            signed_agreements=signed_agreements_naming(self.person),
            users_page=users_page(self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            erasure = user_erase(
                user=self.person, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        done = _("The account is erased.")
        if erasure.kept:
            done += " " + _("The signed agreements still name the person.")
        messages.success(self.request, done)
        return redirect(users_page(self.request.user))


class ContactEraseView(FormView):
    form_class = ErasureForm
    template_name = "privacy/erasure_contact.html"

    @cached_property
    def contact(self):
        """A contact person of an outlet the user keeps the register of."""
        scope = self.request.user.managed_scope("outlet__municipality")
        return get_object_or_404(
            OutletContact.objects.filter(scope).select_related("outlet"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def form_valid(self, form):
        outlet = self.contact.outlet
        contact_erase(contact=self.contact, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The contact person is erased."))
        return redirect(outlet)
