from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NoColonMixin
from securitylog.models import EventKind


class SecurityLogFilterForm(NoColonMixin, forms.Form):
    """The log's filters, from the query string."""

    person = forms.CharField(
        label=_("User or e-mail address"), required=False, max_length=254
    )
    kind = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *EventKind.choices],
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def filter(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["person"]:
            events = events.about(data["person"].strip())
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["start"]:
            events = events.filter(at__date__gte=data["start"])
        if data["end"]:
            events = events.filter(at__date__lte=data["end"])
        return events
