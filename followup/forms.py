from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NoColonMixin
from core.numbers import FriendlyIntegerField, count_read
from followup.models import (
    REPORT_DUE_DAYS_MESSAGE,
    Activity,
    ChecklistResult,
    FollowUpSettings,
    OwnerReport,
    Training,
)
from followup.services import REPORT_FIELDS, CheckedCriterion
from outlets.models import Outlet

DATE_INPUT = DateInput()
TEXT = forms.Textarea(attrs={"rows": 3})


COUNTS = [
    "visitors_per_week",
    "computer_sessions",
    "parcels_handled",
    "home_deliveries",
    "activities_held",
    "meeting_place_uses",
    "cash_withdrawals",
]
TEXTS = [
    "worked_well",
    "problems",
    "needs_and_wishes",
    "suggestions",
    "planned_activities",
    "customer_wishes",
]


class ReportForm(forms.ModelForm):
    """The owner's yearly report; nothing is required until it is sent."""

    visitors_counting = forms.ChoiceField(
        label=_("Did you count or estimate the visitors?"),
        choices=OwnerReport.Counting.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = OwnerReport
        fields = REPORT_FIELDS
        field_classes = dict.fromkeys(COUNTS, FriendlyIntegerField)
        widgets = dict.fromkeys(TEXTS, TEXT)
        help_texts = {
            **dict.fromkeys(COUNTS, _("E.g. 40, ca 40 or 40–50.")),
            "visitors_per_week": _(
                "In a normal week; needed to send the report. An estimate is fine: "
                "“ca 40”, or a range such as “40–50”, which counts as its middle "
                "(45) and marks the visitors as estimated."
            ),
            "cash_withdrawals": _(
                "Only if you offer cash withdrawal. E.g. 40, ca 40 or 40–50."
            ),
            "customer_wishes": _("Optional: from a customer survey or what you hear."),
        }

    NOTES = [
        "worked_well",
        "problems",
        "needs_and_wishes",
        "suggestions",
        "planned_activities",
    ]
    FIGURES = [
        "visitors_per_week",
        "visitors_counting",
        "computer_sessions",
        "parcels_handled",
        "home_deliveries",
        "activities_held",
        "meeting_place_uses",
        "cash_withdrawals",
        "customer_wishes",
    ]

    def clean(self):
        cleaned = super().clean()
        # "ca 40" or "40–50" visitors were estimated, unless the owner says otherwise.
        typed = self.data.get(self.add_prefix("visitors_per_week"), "")
        read = cleaned.get("visitors_per_week") is not None
        estimated = read and count_read(typed)[1]
        if estimated and not cleaned.get("visitors_counting"):
            cleaned["visitors_counting"] = OwnerReport.Counting.ESTIMATED
        return cleaned

    def notes(self):
        return [self[name] for name in self.NOTES]

    def figures(self):
        return [self[name] for name in self.FIGURES]


class ReturnForm(forms.Form):
    # One page holds all these forms: prefixed, their ids stay unique.
    prefix = "return"

    comment = forms.CharField(
        label=_("What should the owner change?"), widget=TEXT, max_length=5000
    )


class MeetingForm(forms.Form):
    prefix = "meeting"

    held_on = forms.DateField(label=_("Date of the dialogue"), widget=DATE_INPUT)
    participants = forms.CharField(
        label=_("Participants"), widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(label=_("Minutes"), widget=TEXT, required=False)


class ActionForm(forms.Form):
    prefix = "action"

    text = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Who"), max_length=200)
    due_on = forms.DateField(label=_("By when"), widget=DATE_INPUT, required=False)


class SiteVisitForm(forms.Form):
    prefix = "visit"

    visited_on = forms.DateField(label=_("Date of the visit"), widget=DATE_INPUT)
    visitors = forms.CharField(label=_("Visited by"), max_length=300)
    assessment = forms.CharField(label=_("Impression"), widget=TEXT, required=False)

    def __init__(self, *args, criteria, results=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        stored = {result.criterion_id: result for result in results or []}
        for criterion in self.criteria:
            found = stored.get(criterion.pk)
            self.fields[f"result_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.text,
                choices=ChecklistResult.Result.choices,
                widget=forms.RadioSelect,
                initial=found.result if found else None,
            )
            self.fields[f"remark_{criterion.pk}"] = forms.CharField(
                label=_("Remark on %(criterion)s") % {"criterion": criterion.text},
                max_length=500,
                required=False,
                initial=found.remark if found else "",
            )

    def checklist(self):
        """(result field, remark field) per criterion, for the template."""
        return [
            (self[f"result_{criterion.pk}"], self[f"remark_{criterion.pk}"])
            for criterion in self.criteria
        ]

    def results(self):
        return [
            CheckedCriterion(
                criterion,
                self.cleaned_data[f"result_{criterion.pk}"],
                self.cleaned_data[f"remark_{criterion.pk}"],
            )
            for criterion in self.criteria
        ]

    def visit_fields(self):
        return {
            name: self.cleaned_data[name]
            for name in ("visited_on", "visitors", "assessment")
        }


class SitePhotoForm(forms.Form):
    prefix = "photo"

    image = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP image, at most 15 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("Choose a photo.")},
    )
    caption = forms.CharField(
        label=_("What the photo shows"),
        help_text=_("Shown with the photo and read out to those who cannot see it."),
        max_length=300,
    )


class CompleteForm(forms.Form):
    prefix = "complete"

    assessment = forms.CharField(
        label=_("Assessment of the year"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ActivityForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["outlet", "held_on", "title", "description", "participants"]
        widgets = {
            "held_on": DATE_INPUT,
            "description": TEXT,
            "participants": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the outlets the user may log for: a forged id is an invalid choice.
        outlets = Outlet.objects.recordable_by(user).order_by("name")
        self.fields["outlet"].queryset = outlets
        self.fields["outlet"].empty_label = None
        if not self.instance.pk:
            self.initial.setdefault("held_on", timezone.localdate())


class TrainingForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = Training
        fields = [
            "held_on",
            "topic",
            "title",
            "organiser",
            "outlets",
            "participant_count",
            "participants",
        ]
        widgets = {
            "held_on": DATE_INPUT,
            "outlets": forms.CheckboxSelectMultiple,
            "participants": TEXT,
            "participant_count": forms.NumberInput(
                attrs={"inputmode": "numeric", "min": 1}
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlets"].queryset = (
            Outlet.objects.filter(
                municipality_id=user.municipality_id, agreements__state="signed"
            )
            .distinct()
            .order_by("name")
        )


class FollowUpSettingsForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = FollowUpSettings
        fields = ["report_due_days"]
        labels = {
            "report_due_days": _(
                "Days from the end of the agreement year to the due date"
            ),
        }
        widgets = {
            "report_due_days": forms.NumberInput(
                attrs={"min": 1, "max": 365, "class": "input--short"}
            ),
        }
        error_messages = {
            "report_due_days": {
                "required": _("Give the number of days."),
                "invalid": _("Write a whole number of days, e.g. 60."),
                "min_value": REPORT_DUE_DAYS_MESSAGE,
            },
        }


class CriterionForm(NoColonMixin, forms.Form):
    text = forms.CharField(
        label=_("Criterion"),
        max_length=200,
        error_messages={
            "required": _("Write the criterion."),
            "max_length": _("Keep the criterion to %(limit_value)d characters."),
        },
        help_text=_('What the visit checks, e.g. "Defibrillator in place".'),
    )
