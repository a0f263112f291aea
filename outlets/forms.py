import math
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, NoColonMixin
from outlets.geo import is_in_sweden, wgs84_from_sweref
from outlets.import_runs import SUFFIXES as IMPORT_SUFFIXES
from outlets.importing import ImportFileError, check_file_size
from outlets.models import (
    CONSIDERED_WITHIN_KM,
    Locality,
    Municipality,
    Outlet,
    OutletContact,
    Partner,
    ServicePointChoice,
)


class CoordinateField(forms.FloatField):
    """A number as people type it: decimal comma or point, spaces between digits."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\N{NO-BREAK SPACE}", "").replace(" ", "")
            value = value.replace(",", ".").replace("\N{MINUS SIGN}", "-")
        return super().to_python(value)


class PositionForm(NoColonMixin, forms.Form):
    """A position given either in WGS84 degrees or in SWEREF 99 TM metres.

    Positions are stored in WGS84; SWEREF 99 TM is what Swedish maps and registers
    (Lantmäteriet, SCB) give, so it is accepted and converted here.
    """

    latitude = CoordinateField(
        label=_("Latitude"),
        required=False,
        help_text=_("WGS84 degrees, e.g. 63.7000."),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        required=False,
        help_text=_("WGS84 degrees, e.g. 19.3500."),
    )
    sweref_northing = CoordinateField(
        label=_("Northing (N)"),
        required=False,
        help_text=_("SWEREF 99 TM metres, e.g. 7063000."),
    )
    sweref_easting = CoordinateField(
        label=_("Easting (E)"),
        required=False,
        help_text=_("SWEREF 99 TM metres, e.g. 717000."),
    )

    position_fields = ["latitude", "longitude", "sweref_northing", "sweref_easting"]

    def clean(self):
        cleaned_data = super().clean()
        latitude, longitude, northing, easting = (
            cleaned_data.get(name) for name in self.position_fields
        )
        if northing is None and easting is None:
            return cleaned_data  # WGS84 or nothing: the model checks it.
        if latitude is not None or longitude is not None:
            raise ValidationError(
                _(
                    "Give the position either as latitude and longitude or as "
                    "SWEREF 99 TM northing and easting, not both."
                ),
                code="position_twice",
            )
        if northing is None or easting is None:
            self.add_error(
                "sweref_easting" if easting is None else "sweref_northing",
                ValidationError(
                    _("Give both northing and easting."), code="position_half"
                ),
            )
            return cleaned_data
        latitude, longitude = wgs84_from_sweref(northing, easting)
        if not (
            math.isfinite(latitude)
            and math.isfinite(longitude)
            and is_in_sweden(latitude, longitude)
        ):
            self.add_error(
                "sweref_northing",
                ValidationError(
                    _(
                        "The position is not in Sweden: check northing and easting "
                        "(SWEREF 99 TM, in metres)."
                    ),
                    code="outside_sweden",
                ),
            )
            return cleaned_data
        cleaned_data["latitude"] = round(latitude, 6)
        cleaned_data["longitude"] = round(longitude, 6)
        return cleaned_data


class OutletForm(PositionForm, forms.ModelForm):
    """An outlet of the editor's own municipality; its municipality is no field."""

    agent_roles = forms.MultipleChoiceField(
        label=_("Agent for"),
        choices=Outlet.AgentRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Outlet
        fields = [
            "name",
            "kind",
            "chain",
            "external_id",
            "organisation_number",
            "street_address",
            "postcode",
            "town",
            "locality",
            "latitude",
            "longitude",
            "opening_hours",
            "phone",
            "agent_roles",
            "backup_power",
            "backup_power_kva",
            "backup_power_tested_on",
            "crisis_role",
            "crisis_contact",
        ]
        localized_fields = ["backup_power_kva"]
        help_texts = {
            "organisation_number": _("Ten digits, e.g. 556012-5790."),
        }
        widgets = {
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "backup_power_tested_on": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locality = self.fields["locality"]
        locality.queryset = Locality.objects.filter(
            municipality_id=self.instance.municipality_id
        )
        locality.empty_label = _("No locality")


class OutletPublicFactsForm(NoColonMixin, forms.ModelForm):
    """What a shop owner keeps of their outlet's public facts."""

    class Meta:
        model = Outlet
        fields = ["opening_hours", "phone"]
        widgets = {
            "opening_hours": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        help_texts = {
            "opening_hours": _(
                "As customers should read them, e.g. “Mon–Fri 9–19, Sat 10–14”."
            ),
        }


class ContactForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = OutletContact
        fields = ["name", "role", "email", "phone"]


ContactFormSet = forms.inlineformset_factory(
    Outlet,
    OutletContact,
    form=ContactForm,
    extra=1,
    can_delete=True,
)


class OutletCloseForm(NoColonMixin, forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"),
        widget=DateInput,
        help_text=_("The day the outlet closed for good; not a future date."),
    )


class LocalityForm(PositionForm, forms.ModelForm):
    class Meta:
        model = Locality
        fields = [
            "name",
            "population",
            "classification",
            "classification_motivation",
            "latitude",
            "longitude",
        ]
        help_texts = {
            "classification_motivation": _(
                "Why the service plan classifies the locality so; required unless "
                "the classification is none."
            ),
        }
        widgets = {"classification_motivation": forms.Textarea(attrs={"rows": 4})}


class PartnerForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "contact_person", "email", "phone", "localities"]
        widgets = {"localities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["localities"].queryset = Locality.objects.filter(
            municipality_id=self.instance.municipality_id
        )
        self.fields["localities"].help_text = _(
            "The localities of your municipality where the partner is active."
        )


class OutletImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        error_messages={"empty": _("The file is empty.")},
        help_text=_(
            "CSV (UTF-8 or Windows-1252, comma or semicolon separated) or Excel "
            "(.xlsx). The first line names the columns."
        ),
    )
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.all(),
        required=False,
        label=_("Municipality"),
        help_text=_(
            "For rows without a Kommunkod column or value. Leave empty when the file "
            "names each row's municipality."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_system_owner:
            # A municipality's administrators import their own municipality's outlets.
            del self.fields["municipality"]

    def clean_file(self):
        """What is cheap to check in the request; the background job reads it."""
        upload = self.cleaned_data["file"]
        try:
            check_file_size(upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(str(error), code="too_large") from None
        if Path(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
            raise forms.ValidationError(
                _("Give a CSV file (.csv, .txt) or an Excel workbook (.xlsx)."),
                code="file_type",
            )
        return upload

    def chosen_municipality(self):
        if "municipality" in self.fields:
            return self.cleaned_data.get("municipality")
        return self.user.municipality


class ConsideredOutletField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, outlet):
        return outlet_choice_label(outlet, self.municipality_id)


class ChosenOutletField(forms.ModelChoiceField):
    def label_from_instance(self, outlet):
        return outlet_choice_label(outlet, self.municipality_id)


def outlet_choice_label(outlet, municipality_id):
    """ "ICA Lundins (Grocery shop, full range)", with the municipality when it is
    another's."""
    label = f"{outlet.name} ({outlet.get_kind_display()}"
    if outlet.municipality_id != municipality_id:
        label += f", {outlet.municipality}"
    return label + ")"


class ServicePointChoiceForm(NoColonMixin, forms.ModelForm):
    """The choice of a locality's service point; the instance holds the locality."""

    considered = ConsideredOutletField(
        queryset=Outlet.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Outlets considered"),
    )
    chosen = ChosenOutletField(
        queryset=Outlet.objects.none(),
        widget=forms.RadioSelect,
        label=_("Outlet chosen"),
        help_text=_("One of the municipality's outlets, among those considered."),
    )

    class Meta:
        model = ServicePointChoice
        fields = [
            "considered",
            "chosen",
            "reason",
            "decision_body",
            "decision_date",
            "decision_paragraph",
            "decision_registration_number",
        ]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 5}),
            "decision_date": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locality = self.instance.locality
        ids = list(locality.outlets_to_consider().values_list("pk", flat=True))
        if self.instance.pk:
            # An outlet since closed stays among those the choice weighed.
            ids += list(self.instance.considered.values_list("pk", flat=True))
            ids.append(self.instance.chosen_id)
        outlets = (
            Outlet.objects.filter(pk__in=ids)
            .select_related("municipality")
            .annotate(
                own=models.Case(
                    models.When(municipality_id=locality.municipality_id, then=0),
                    default=1,
                )
            )
            .order_by("own", "name", "pk")
        )
        self.fields["considered"].help_text = _(
            "The municipality's outlets, and others' within %(km)s km of the "
            "locality: shops across the border may be weighed too."
        ) % {"km": CONSIDERED_WITHIN_KM}
        for name in ("considered", "chosen"):
            self.fields[name].municipality_id = locality.municipality_id
        self.fields["considered"].queryset = outlets
        self.fields["chosen"].queryset = outlets.filter(
            municipality_id=locality.municipality_id
        )

    def clean(self):
        cleaned_data = super().clean()
        considered = cleaned_data.get("considered")
        if considered is None:
            return cleaned_data
        choice = ServicePointChoice(
            locality=self.instance.locality, chosen=cleaned_data.get("chosen")
        )
        try:
            choice.clean_considered(considered)
        except ValidationError as error:
            for problem in error.error_dict["considered"]:
                field = "chosen" if problem.code == "chosen_not_considered" else None
                self.add_error(field or "considered", problem)
        return cleaned_data
