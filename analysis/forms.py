"""Forms of the analysis pages: what to analyse, and a scenario's changes."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from analysis.models import (
    KIND_LABELS,
    SWEDEN_EASTING,
    SWEDEN_NORTHING,
    AnalysisSettings,
    Scenario,
)
from analysis.selectors import added_kinds
from analysis.services import AnalysisError, ScenarioSpec, parse_bands
from outlets.models import Outlet

MAX_BAND_EDGES = 10

# Grocery first: the default, so a form without a kind shows what is analysed.
KIND_CHOICES = [(kind, KIND_LABELS[kind]) for kind in KIND_LABELS]
# The kinds a new outlet can have, as in the register (without "other").
ADDED_KIND_CHOICES = [
    (value, label) for value, label in Outlet.Kind.choices if value != "other"
]


class AnalysisForm(forms.Form):
    """The kind of outlet and the distance bands; the defaults when left out."""

    kind = forms.ChoiceField(
        label=_("Kind of outlet"),
        choices=KIND_CHOICES,
        required=False,
        initial="grocery",
    )
    bands = forms.CharField(
        label=_("Distance bands (km)"),
        required=False,
        max_length=100,
        help_text=_("The upper edges, separated by commas, e.g. 5,10,20,30."),
    )

    def __init__(self, data=None, *args, default_bands=(), **kwargs):
        if data is not None and not data.get("kind"):
            data = data.copy()
            data["kind"] = "grocery"
        super().__init__(data, *args, **kwargs)
        self.default_bands = list(default_bands)
        self.fields["bands"].widget.attrs["placeholder"] = ",".join(
            str(b) for b in self.default_bands
        )

    def clean_kind(self):
        return self.cleaned_data["kind"] or "grocery"

    def clean_bands(self):
        text = self.cleaned_data["bands"].strip()
        if not text:
            return self.default_bands
        try:
            bands = parse_bands(text)
        except AnalysisError:
            raise forms.ValidationError(
                _(
                    "Give the band edges as increasing kilometres separated by "
                    "commas, e.g. 5,10,20,30."
                ),
                code="invalid_bands",
            ) from None
        if len(bands) > MAX_BAND_EDGES:
            raise forms.ValidationError(
                _("Give at most %(count)s band edges."),
                code="too_many_bands",
                params={"count": MAX_BAND_EDGES},
            )
        return bands

    def chosen(self):
        """(kind, bands), the defaults where the input was not valid."""
        data = getattr(self, "cleaned_data", {})
        return (
            data.get("kind") or "grocery",
            data.get("bands") or self.default_bands,
        )


def _coordinate(label, limits):
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=limits[0],
        max_value=limits[1],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ScenarioForm(forms.Form):
    """A scenario's changes: outlets closed, one added and one moved."""

    close = forms.TypedMultipleChoiceField(
        label=_("Close outlets"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    add_name = forms.CharField(
        label=_("Name of the new outlet"), required=False, max_length=200
    )
    add_kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("No new outlet")), *ADDED_KIND_CHOICES],
    )
    add_service_point = forms.BooleanField(
        label=_("Service point (agreement in force)"), required=False
    )
    add_easting = _coordinate(_("Easting (E, SWEREF 99 TM)"), SWEDEN_EASTING)
    add_northing = _coordinate(_("Northing (N, SWEREF 99 TM)"), SWEDEN_NORTHING)
    move_outlet = forms.TypedChoiceField(
        label=_("Outlet to move"), coerce=int, required=False, empty_value=None
    )
    move_easting = _coordinate(_("New easting (E, SWEREF 99 TM)"), SWEDEN_EASTING)
    move_northing = _coordinate(_("New northing (N, SWEREF 99 TM)"), SWEDEN_NORTHING)

    def __init__(self, *args, outlets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.outlets = {outlet.pk: outlet for outlet in outlets}
        choices = [(outlet.pk, outlet_label(outlet)) for outlet in outlets]
        self.fields["close"].choices = choices
        self.fields["move_outlet"].choices = [("", _("No outlet moved")), *choices]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        add = [data.get(f) for f in ("add_kind", "add_easting", "add_northing")]
        if any(value not in (None, "") for value in add) or data.get("add_name"):
            if not data.get("add_kind"):
                self.add_error(
                    "add_kind",
                    forms.ValidationError(
                        _("Choose the new outlet's kind."), code="required"
                    ),
                )
            for name in ("add_easting", "add_northing"):
                if data.get(name) is None:
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _("Give the new outlet's position."), code="required"
                        ),
                    )
        moved = data.get("move_outlet")
        if moved is not None or data.get("move_easting") or data.get("move_northing"):
            if moved is None:
                self.add_error(
                    "move_outlet",
                    forms.ValidationError(
                        _("Choose the outlet to move."), code="required"
                    ),
                )
            for name in ("move_easting", "move_northing"):
                if data.get(name) is None:
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _("Give the outlet's new position."), code="required"
                        ),
                    )
            if moved is not None and moved in (data.get("close") or []):
                self.add_error(
                    "move_outlet",
                    forms.ValidationError(
                        _("An outlet cannot be both closed and moved."),
                        code="closed_and_moved",
                    ),
                )
        return data

    def spec(self) -> ScenarioSpec:
        """The valid changes as the analysis runs them."""
        data = self.cleaned_data
        added = ()
        if data.get("add_kind"):
            added = (
                (
                    data["add_name"] or gettext("New outlet"),
                    added_kinds(data["add_kind"], False, data["add_service_point"]),
                    data["add_easting"],
                    data["add_northing"],
                ),
            )
        moved = ()
        if data.get("move_outlet") is not None:
            moved = (
                (data["move_outlet"], data["move_easting"], data["move_northing"]),
            )
        return ScenarioSpec(
            closed=tuple(sorted(set(data.get("close") or []))), added=added, moved=moved
        )


class ScenarioSaveForm(ScenarioForm):
    """The same changes, and a name to keep them under."""

    name = forms.CharField(label=_("Name of the scenario"), max_length=200)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.order_fields(["name"])

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Scenario.objects.filter(municipality=self.municipality, name=name).exists():
            raise forms.ValidationError(
                _("The municipality already has a scenario with this name."),
                code="unique_name",
            )
        return name

    def clean(self):
        data = super().clean()
        if not self.errors and self.spec().is_empty():
            raise forms.ValidationError(
                _("The scenario changes nothing: close, add or move an outlet."),
                code="empty",
            )
        return data


def outlet_label(outlet):
    return f"{outlet.name} ({outlet.get_kind_display()}, {outlet.municipality.name})"


class CompareForm(forms.Form):
    """Two or more saved scenarios to compare."""

    scenario = forms.TypedMultipleChoiceField(
        label=_("Scenarios"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, scenarios=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [(s.pk, s.name) for s in scenarios]
        self.fields["scenario"].error_messages["required"] = _(
            "Choose two or more scenarios to compare."
        )

    def clean_scenario(self):
        chosen = self.cleaned_data["scenario"]
        if len(set(chosen)) < 2:
            raise forms.ValidationError(
                _("Choose two or more scenarios to compare."), code="too_few"
            )
        return chosen


class AnalysisSettingsForm(forms.ModelForm):
    """A municipality's analysis settings; the band edges as text."""

    distance_bands_km = forms.CharField(
        label=_("Default distance bands (km)"),
        required=False,
        max_length=100,
        help_text=_(
            "The upper edges in whole kilometres, separated by commas, e.g. "
            "5,10,20,30. Left empty, the analysis uses 5,10,20,30."
        ),
    )

    class Meta:
        model = AnalysisSettings
        fields = ["detour_factor", "distance_bands_km", "strategic_threshold"]
        localized_fields = ["detour_factor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["distance_bands_km"] = ",".join(
            str(edge) for edge in self.instance.distance_bands_km or []
        )
        detour = self.fields["detour_factor"]
        detour.validators += [MinValueValidator(1), MaxValueValidator(5)]
        detour.widget.attrs.update(inputmode="decimal")
        detour.help_text = _(
            "Straight-line distances are multiplied by this (between 1 and 5) when no "
            "road network has been imported; 1.3 is usual for Swedish roads."
        )
        self.fields["strategic_threshold"].validators.append(MinValueValidator(1))

    def clean_distance_bands_km(self):
        text = self.cleaned_data["distance_bands_km"].strip()
        if not text:
            return []
        try:
            bands = parse_bands(text)
        except AnalysisError:
            bands = None
        if bands is None or not all(isinstance(edge, int) for edge in bands):
            raise forms.ValidationError(
                _(
                    "Give the band edges as increasing whole kilometres separated "
                    "by commas, e.g. 5,10,20,30."
                ),
                code="invalid_bands",
            )
        if len(bands) > MAX_BAND_EDGES or bands[-1] > 1000:
            raise forms.ValidationError(
                _("Give at most %(count)s band edges, of at most 1000 km."),
                code="too_many_bands",
                params={"count": MAX_BAND_EDGES},
            )
        return bands


class DataLoadUploadForm(forms.Form):
    """A population grid or a road network to preview before it is loaded."""

    file = forms.FileField(
        label=_("File"), error_messages={"empty": _("The file is empty.")}
    )
    name = forms.CharField(
        label=_("Name of the network"),
        max_length=200,
        required=False,
        help_text=_("Shown with the analysis's figures; the file's name if empty."),
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "population":
            del self.fields["name"]
            self.fields["file"].help_text = _(
                "CSV (the template, SCB's grid statistics or Pipos squares, UTF-8) or "
                "GeoPackage in SWEREF 99 TM."
            )
        else:
            self.fields["file"].help_text = _(
                "GeoJSON or GeoPackage with the roads as lines (LineString or "
                "MultiLineString)."
            )
