from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    AgreementVersion,
    Party,
    Payout,
    ProgrammeSettings,
    Service,
    Signature,
)
from agreements.services import ServiceLine
from core.forms import DateInput, LongSelect, NoColonMixin
from core.numbers import KronorField
from outlets.models import Outlet

DATE_INPUT = DateInput()

VERSION_FIELDS = [
    "decision_registration_number",
    "decision_body",
    "decision_date",
    "decision_paragraph",
    "starts_on",
    "initial_term_months",
    "extension_months",
    "notice_period_months",
    "decision_lead_days",
    "space",
    "annual_compensation",
    "compensation_justification",
    "vat_rate_percent",
    "payout_frequency_months",
    "payout_timing",
    "payment_days",
    "payout_requires_followup",
    "payout_requires_report",
    "payout_condition_year",
]


class AgreementForm(forms.ModelForm):
    """The terms of a draft; the outlet and party only when the draft is new."""

    outlet = forms.ModelChoiceField(queryset=Outlet.objects.none(), label=_("Outlet"))
    party = forms.ModelChoiceField(
        queryset=Party.objects.none(),
        label=_("Contracting party"),
        help_text=_("The company or association that signs."),
    )

    class Meta:
        model = AgreementVersion
        fields = VERSION_FIELDS
        widgets = {
            "decision_date": DATE_INPUT,
            "starts_on": DATE_INPUT,
            "space": forms.Textarea(attrs={"rows": 3}),
            "compensation_justification": forms.Textarea(attrs={"rows": 3}),
            "payout_condition_year": forms.RadioSelect,
        }
        field_classes = {"annual_compensation": KronorField}

    TERM_FIELDS = [
        "starts_on",
        "initial_term_months",
        "extension_months",
        "notice_period_months",
        "decision_lead_days",
    ]

    def __init__(self, *args, municipality, with_parties=True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.number and self.instance.number > 1:
            # The term is the agreement's own; an amendment changes what is done
            # and paid, not when the agreement runs.
            for name in self.TERM_FIELDS:
                del self.fields[name]
        elif not self.instance.pk:
            programme = ProgrammeSettings.for_municipality(municipality)
            self.initial.setdefault("vat_rate_percent", programme.vat_rate_percent)
        self.fields["annual_compensation"].required = False
        self.fields["annual_compensation"].help_text = _(
            "Leave empty for the sum of the chosen services' fees."
        )
        if with_parties:
            self.fields["outlet"].queryset = Outlet.objects.filter(
                municipality=municipality, status=Outlet.Status.OPEN
            )
            self.fields["party"].queryset = Party.objects.filter(
                municipality=municipality
            )
        else:
            del self.fields["outlet"], self.fields["party"]

    def version_fields(self):
        return {
            name: self.cleaned_data[name]
            for name in VERSION_FIELDS
            if name in self.fields
        }


class ServicesForm(forms.Form):
    """One row per service of the catalogue: include it, its fee, its commitments."""

    def __init__(self, *args, catalogue, chosen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = list(catalogue)
        chosen = {line.service_id: line for line in chosen or []}
        for service in self.catalogue:
            line = chosen.get(service.pk)
            self.fields[f"include_{service.pk}"] = forms.BooleanField(
                label=service.name,
                label_suffix="",
                required=False,
                initial=line is not None,
            )
            self.fields[f"fee_{service.pk}"] = KronorField(
                label=_("Compensation per year (kr)"),
                required=False,
                initial=line.annual_fee if line else service.default_annual_fee,
            )
            self.fields[f"commitments_{service.pk}"] = forms.CharField(
                label=_("Specific commitments"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=line.commitments if line else "",
            )

    def rows(self):
        return [
            (
                service,
                self[f"include_{service.pk}"],
                self[f"fee_{service.pk}"],
                self[f"commitments_{service.pk}"],
            )
            for service in self.catalogue
        ]

    def clean(self):
        cleaned = super().clean()
        for service in self.catalogue:
            if cleaned.get(f"include_{service.pk}") and cleaned.get(
                f"fee_{service.pk}"
            ) in (None, ""):
                self.add_error(
                    f"fee_{service.pk}",
                    forms.ValidationError(
                        _("Give the service's compensation per year."),
                        code="fee_missing",
                    ),
                )
        return cleaned

    def lines(self):
        return [
            ServiceLine(
                service=service,
                annual_fee=self.cleaned_data[f"fee_{service.pk}"],
                commitments=self.cleaned_data[f"commitments_{service.pk}"],
            )
            for service in self.catalogue
            if self.cleaned_data.get(f"include_{service.pk}")
        ]


class PartyForm(forms.ModelForm):
    """A party's details; its bankgiro and plusgiro show what is waiting for
    confirmation, if anything, since that is what a save would keep."""

    class Meta:
        model = Party
        fields = [
            "name",
            "organisation_number",
            "bankgiro",
            "plusgiro",
            "supplier_number",
            "address",
            "signatory_name",
            "signatory_title",
            "contact_name",
            "contact_phone",
            "email",
        ]
        help_texts = {
            "bankgiro": _(
                "New or changed bank details take effect when another official or "
                "administrator confirms them."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.has_pending_bank_details:
            self.initial["bankgiro"] = self.instance.pending_bankgiro
            self.initial["plusgiro"] = self.instance.pending_plusgiro


class DelegationForm(forms.Form):
    """How much a colleague may commit to a year on their own."""

    user = forms.ModelChoiceField(label=_("Official or administrator"), queryset=None)
    max_annual_compensation = KronorField(
        label=_("Signs agreements up to (kr/year)"),
        help_text=_("0 kr: every agreement the person makes ready needs approval."),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "shop_commitment",
            "municipality_provides",
            "public_description",
            "default_annual_fee",
            "is_active",
        ]
        widgets = {
            "shop_commitment": forms.Textarea(attrs={"rows": 3}),
            "municipality_provides": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"default_annual_fee": KronorField}


class SignForm(forms.Form):
    """A signature in the app: the signatory is the signed-in user, shown by name
    on the page and never typed, so nobody signs in another's name."""

    title = forms.CharField(label=_("Title"), max_length=100)
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("The password confirms that it is you who signs."),
    )


class PaperSignForm(forms.Form):
    side = forms.ChoiceField(label=_("Side"), choices=Signature.Side.choices)
    name = forms.CharField(label=_("Signed by"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=100)
    # What the scan must be is the signing service's to say (paper_scan_pdf).
    paper_scan = forms.FileField(
        label=_("Scan of the signed paper (PDF, JPEG or PNG)"),
        help_text=_("At most 20 MB; a PDF of at most 50 pages."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, sides=None, **kwargs):
        """`sides`: the sides still to sign, offered alone on the page."""
        super().__init__(*args, **kwargs)
        if sides is not None:
            self.fields["side"].choices = [
                choice for choice in Signature.Side.choices if choice[0] in sides
            ]


class AgreementActionForm(forms.Form):
    """A form on the agreement page that runs one action on the agreement."""

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement


class NoticeForm(AgreementActionForm):
    given_on = forms.DateField(label=_("Notice given on"), widget=DATE_INPUT)
    given_by = forms.ChoiceField(
        label=_("Given by"), choices=Agreement.NoticeBy.choices
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(AgreementActionForm):
    reason = forms.CharField(
        label=_("Why the agreement is withdrawn"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write why the agreement is withdrawn.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Of a signed agreement, what is withdrawn is its amendment.
        if self.agreement.state == Agreement.State.SIGNED:
            field = self.fields["reason"]
            field.label = _("Why the amendment is withdrawn")
            field.error_messages["required"] = _(
                "Write why the amendment is withdrawn."
            )


class DraftDeleteForm(AgreementActionForm):
    confirm = forms.BooleanField(
        label=_("Yes, delete this draft"),
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )


class WithholdForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the payout is withheld"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PayoutFilterForm(NoColonMixin, forms.Form):
    """The payouts page's filters, read from the query string; a bad value is
    ignored, as on the other lists."""

    OPEN = ""
    ALL = "all"
    OVERDUE = "overdue"
    WITHIN_30_DAYS = "30"

    status = forms.ChoiceField(label=_("Status"), required=False)
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[
            ("", _("Any date")),
            (OVERDUE, _("Overdue")),
            (WITHIN_30_DAYS, _("Within 30 days")),
        ],
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_INPUT)
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DATE_INPUT)
    outlet = forms.TypedChoiceField(
        label=_("Outlet"), required=False, coerce=int, widget=LongSelect
    )

    def __init__(self, *args, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (self.OPEN, _("Not paid (planned, approved, withheld)")),
            *Payout.Status.choices,
            (self.ALL, _("All")),
        ]
        self.fields["outlet"].choices = [("", _("All outlets"))] + [
            (outlet.pk, outlet.name) for outlet in outlets
        ]

    def value(self, name):
        self.is_valid()
        return self.cleaned_data.get(name) or None


class CancelPayoutForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the payout is cancelled"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    # A programme's budget may run to many agreements' compensation.
    amount = KronorField(label=_("Budget (kr)"), max_value=1_000_000_000)


class AmendmentForm(AgreementActionForm):
    effective_on = forms.DateField(label=_("Takes effect on"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Why the agreement is amended"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RenewalForm(AgreementActionForm):
    starts_on = forms.DateField(
        label=_("The renewed agreement starts on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Empty: the day after this agreement ends."),
    )
    party = forms.ModelChoiceField(
        label=_("Contracting party"), queryset=Party.objects.none()
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, agreement=agreement, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(
            municipality_id=agreement.municipality_id
        )
        self.fields["party"].initial = agreement.party_id


class ChangeOfOwnerForm(AgreementActionForm):
    handover_on = forms.DateField(
        label=_("The new owner took over on"), widget=DATE_INPUT
    )
    party = forms.ModelChoiceField(
        label=_("The new owner's contracting party"),
        queryset=Party.objects.none(),
        help_text=_("Add the new owner as a party first if they are not listed."),
    )
    end_access_for = forms.ModelMultipleChoiceField(
        label=_("End the access of"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The old owner's accounts lose the outlet; an account that runs no other "
            "outlet is deactivated."
        ),
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, agreement=agreement, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(
            municipality_id=agreement.municipality_id
        ).exclude(pk=agreement.party_id)
        owners = agreement.outlet.owners.order_by("full_name")
        field = self.fields["end_access_for"]
        field.queryset = owners
        field.initial = list(owners)
        field.label_from_instance = lambda user: f"{user.full_name} ({user.email})"


class ProgrammeSettingsForm(forms.ModelForm):
    class Meta:
        model = ProgrammeSettings
        fields = [
            "compensation_min",
            "compensation_max",
            "minimum_services",
            "vat_rate_percent",
            "accounting_code",
        ]
        field_classes = {
            "compensation_min": KronorField,
            "compensation_max": KronorField,
        }
