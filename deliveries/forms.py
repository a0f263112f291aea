from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NoColonMixin
from core.numbers import FriendlyIntegerField, KronorField
from deliveries.models import Delivery, MonthlyDeliveryTotal
from outlets.models import Outlet


class OutletChoiceMixin:
    """The outlet select offers only the outlets the user may record for: another
    outlet's id in a forged POST is refused as an invalid choice."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        outlets = Outlet.objects.recordable_by(user).order_by("name")
        self.fields["outlet"].queryset = outlets
        self.fields["outlet"].empty_label = None
        if len(outlets) == 1:
            self.initial.setdefault("outlet", outlets[0].pk)


class CostFieldsMixin:
    """The cost is more than 0 kr (the model says so too); a count is at least 1."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cost", "delivery_count"):
            if name in self.fields:
                self.fields[name].min_value = 1


class DeliveryForm(OutletChoiceMixin, CostFieldsMixin, NoColonMixin, forms.ModelForm):
    class Meta:
        model = Delivery
        fields = [
            "outlet",
            "delivered_on",
            "household_reference",
            "cost",
            "household_fees",
            "note",
        ]
        field_classes = {"cost": KronorField, "household_fees": KronorField}
        widgets = {
            "delivered_on": DateInput,
            "household_reference": forms.TextInput(
                attrs={"autocomplete": "off", "autocapitalize": "characters"}
            ),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("delivered_on", timezone.localdate())
        # The model says what is wrong with a name or a personal identity number;
        # a bare length error here would hide that message.
        reference = self.fields["household_reference"]
        reference.max_length = None
        reference.validators = []
        reference.widget.attrs.pop("maxlength", None)


class MonthlyTotalForm(
    OutletChoiceMixin, CostFieldsMixin, NoColonMixin, forms.ModelForm
):
    month = forms.TypedChoiceField(
        label=_("Month"), choices=list(MONTHS.items()), coerce=int
    )

    class Meta:
        model = MonthlyDeliveryTotal
        fields = [
            "outlet",
            "year",
            "month",
            "delivery_count",
            "cost",
            "household_fees",
            "note",
        ]
        field_classes = {
            "delivery_count": FriendlyIntegerField,
            "cost": KronorField,
            "household_fees": KronorField,
        }
        widgets = {
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            today = timezone.localdate()
            self.initial.setdefault("year", today.year)
            self.initial.setdefault("month", today.month)


class DeliveryFilterForm(NoColonMixin, forms.Form):
    """The list's filters, read from the query string; a bad value is ignored."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int)
    outlet = forms.TypedChoiceField(label=_("Outlet"), required=False, coerce=int)

    def __init__(self, *args, years, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [
            (year, year) for year in years
        ]
        self.fields["outlet"].choices = [("", _("All outlets"))] + [
            (outlet.pk, outlet.name) for outlet in outlets
        ]

    def value(self, name):
        self.is_valid()
        return self.cleaned_data.get(name) or None
