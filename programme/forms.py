from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NoColonMixin
from core.numbers import FriendlyIntegerField, KronorField
from programme.models import PERCENT_MESSAGE, Investment, ProgrammeGoals

# PositiveSmallIntegerField's ceiling, said as a typo rather than a database error.
GOAL_COUNT_MAXIMUM = 32_767


class NullBooleanRadioSelect(forms.RadioSelect):
    """Yes, no, or not known yet as three radio buttons, "not known" chosen when
    nothing is stored (Django's NullBooleanSelect as radios)."""

    def format_value(self, value):
        value = {True: "true", False: "false", "True": "true", "False": "false"}.get(
            value, value
        )
        return [value if value in ("true", "false") else "unknown"]


class GoalsForm(NoColonMixin, forms.ModelForm):
    own_goal_met = forms.NullBooleanField(
        label=_("Was your own goal met?"),
        required=False,
        widget=NullBooleanRadioSelect(
            choices=[
                ("unknown", _("Not yet known")),
                ("true", _("Met")),
                ("false", _("Not met")),
            ]
        ),
    )

    class Meta:
        model = ProgrammeGoals
        fields = [
            "service_points",
            "visitors_change_percent",
            "staff_trained",
            "activities_held",
            "own_goal",
            "own_goal_outcome",
            "own_goal_met",
        ]
        field_classes = {
            "service_points": FriendlyIntegerField,
            "staff_trained": FriendlyIntegerField,
            "activities_held": FriendlyIntegerField,
        }
        labels = {"own_goal": _("The goal, in words")}
        widgets = {
            "visitors_change_percent": forms.TextInput(
                attrs={"inputmode": "text", "class": "input--short"}
            ),
            "own_goal": forms.Textarea(attrs={"rows": 2}),
            "own_goal_outcome": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "visitors_change_percent": {
                "invalid": _("Write a whole number of percent, e.g. 5 or -2."),
                "min_value": PERCENT_MESSAGE,
                "max_value": PERCENT_MESSAGE,
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("service_points", "staff_trained", "activities_held"):
            self.fields[name].max_value = GOAL_COUNT_MAXIMUM
            self.fields[name].widget.attrs["class"] = "input--short"
        # The model's bounds are said in one message (PERCENT_MESSAGE).
        self.fields["visitors_change_percent"].validators = []
        self.fields["visitors_change_percent"].widget.attrs.pop("min", None)
        self.fields["visitors_change_percent"].widget.attrs.pop("max", None)

    def clean_visitors_change_percent(self):
        value = self.cleaned_data.get("visitors_change_percent")
        if value is not None and not -100 <= value <= 1000:
            raise forms.ValidationError(PERCENT_MESSAGE, code="out_of_range")
        return value


class InvestmentForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = Investment
        fields = [
            "description",
            "made_on",
            "decision_reference",
            "cost",
            "regional_grant",
            "municipal_funding",
            "own_funding",
            "other_aid",
            "other_aid_from",
            "note",
        ]
        field_classes = {
            "cost": KronorField,
            **dict.fromkeys(Investment.FINANCING_SOURCES, KronorField),
        }
        widgets = {
            "made_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "description": {"required": _("Say what was invested in.")},
            "made_on": {
                "required": _("Give the date."),
                "invalid": _("Give the date as 2026-03-15."),
            },
            "decision_reference": {
                "required": _("Give the decision's registration number.")
            },
            "cost": {"required": _("Give the cost in kronor.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost"].min_value = 1
        for source in Investment.FINANCING_SOURCES:
            # An empty source is 0 kr: most investments have one or two sources.
            self.fields[source].required = False
        if not self.instance.pk:
            self.initial.setdefault("made_on", timezone.localdate())
            for source in Investment.FINANCING_SOURCES:
                self.initial[source] = None

    def clean(self):
        cleaned = super().clean()
        for source in Investment.FINANCING_SOURCES:
            if source in cleaned and cleaned[source] is None:
                cleaned[source] = 0
        return cleaned
