"""The choice of a strategic locality's service point: recorded and changed by the
municipality's administrators and officials, shown on the locality's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import CreateView, UpdateView

from core.forms import form_add_service_errors
from outlets.forms import ServicePointChoiceForm
from outlets.models import Locality, ServicePointChoice
from outlets.selectors import service_point_choice_history
from outlets.services import service_point_choice_save
from outlets.views import EditorMixin


class ServicePointChoiceFormMixin(EditorMixin):
    form_class = ServicePointChoiceForm
    template_name = "outlets/locality_choice_form.html"
    context_object_name = "choice"

    def form_valid(self, form):
        try:
            choice = service_point_choice_save(
                choice=form.save(commit=False),
                considered=form.cleaned_data["considered"],
                by=self.request.user,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(choice.locality.get_absolute_url() + "#service-point-choice")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class ServicePointChoiceCreateView(ServicePointChoiceFormMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.test_func():
            # A choice is made for a locality the service plan classifies.
            self.locality = get_object_or_404(
                Locality.objects.editable_by(request.user)
                .exclude(classification=Locality.Classification.NONE)
                .select_related("municipality"),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    @property
    def success_message(self):
        return _("The choice of service point is recorded.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ServicePointChoice(locality=self.locality)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(locality=self.locality, **kwargs)


class ServicePointChoiceUpdateView(ServicePointChoiceFormMixin, UpdateView):
    @property
    def success_message(self):
        return _("The changes to the choice of service point are saved.")

    def get_queryset(self):
        return ServicePointChoice.objects.editable_by(self.request.user).select_related(
            "locality__municipality", "chosen"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            locality=self.object.locality,
            history=service_point_choice_history(choice=self.object),
            **kwargs,
        )
