"""The service analysis pages: the analysis, the scenario editor, saved scenarios.

Every figure comes from `service_analysis_run` (cached under a fingerprint of its
inputs); today's figures of a large municipality missing from the cache come from a
background job (`services/jobs.py`), the page showing the previous ones meanwhile.
The map's squares come from their own endpoint so that a large municipality's page
stays light. Scenarios never touch the register.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import Role, User
from analysis.exporting import (
    band_label,
    change_table,
    compare_table,
    result_tables,
    table_csv,
)
from analysis.forms import (
    AnalysisForm,
    AnalysisSettingsForm,
    CompareForm,
    ScenarioForm,
    ScenarioSaveForm,
)
from analysis.models import KIND_LABELS, AnalysisSettings, Scenario
from analysis.permissions import (
    can_delete_scenario,
    can_edit_analysis_settings,
    can_load_population,
    can_recompute_analysis,
    can_save_scenario,
)
from analysis.scenarios import scenario_create, scenario_delete
from analysis.selectors import (
    analysis_municipality,
    compact_squares,
    outlets_for_choice,
    scenario_history,
    square_bands,
)
from analysis.services import (
    AnalysisError,
    NoPopulationError,
    ScenarioSpec,
    analysis_settings_save,
    scenario_spec,
    service_analysis_run,
)
from analysis.services.jobs import analysis_job_retry, service_analysis_or_job
from core.forms import form_add_service_errors
from outlets.geo import sweref_from_wgs84, wgs84_from_sweref
from outlets.maps import locality_marker, map_legend, outlet_marker
from outlets.models import Locality, Municipality

# Viridis without its palest yellow: ordered, and told apart with any colour vision.
BAND_COLOURS = [
    "#b5de2b",
    "#6ece58",
    "#35b779",
    "#1f9e89",
    "#26828e",
    "#31688e",
    "#3e4989",
    "#482878",
    "#440154",
]
SCENARIO_FIELDS = [
    "close",
    "add_name",
    "add_kind",
    "add_service_point",
    "add_easting",
    "add_northing",
    "move_outlet",
    "move_easting",
    "move_northing",
]


class Page:
    """What every analysis page starts from: whose analysis, which kind and bands."""

    def __init__(self, request, municipality=None):
        if municipality is None:
            municipality, self.choices = analysis_municipality(request)
        else:
            self.choices = []
        self.municipality = municipality
        # Who may choose keeps the choice in every link; others analyse their own.
        self.choosing = not request.user.is_municipal_staff
        self.settings = AnalysisSettings.for_municipality(municipality)
        self.form = AnalysisForm(request.GET or None, default_bands=self.settings.bands)
        self.form.is_valid()
        self.kind, self.bands = self.form.chosen()
        self.last_error = None
        self.no_population = False
        # A computation in the background instead of today's figures, and the
        # previous figures shown meanwhile (services/jobs.py).
        self.job = None
        self.previous = None
        self.result = self._today()
        self.error = self.last_error

    def _today(self):
        try:
            outcome = service_analysis_or_job(
                municipality=self.municipality, kind=self.kind, bands=self.bands
            )
        except AnalysisError as error:
            self.last_error = str(error)
            self.no_population = isinstance(error, NoPopulationError)
            return None
        if outcome.job is not None:
            self.job, self.previous = outcome.job, outcome.previous
            self.last_error = (
                _("The figures could not be computed: %(error)s")
                % {"error": outcome.job.error}
                if outcome.job.status == outcome.job.Status.FAILED
                else _(
                    "The figures are being computed in the background; "
                    "reload the page in a while."
                )
            )
        return outcome.result

    def run(self, spec=None):
        try:
            return service_analysis_run(
                municipality=self.municipality,
                kind=self.kind,
                bands=self.bands,
                scenario=spec,
            )
        except AnalysisError as error:
            self.last_error = str(error)
            self.no_population = isinstance(error, NoPopulationError)
            return None

    def query(self, *, with_municipality=True, **extra):
        """The page's choices as a query string (defaults left out), and more."""
        params = {}
        if self.kind != "grocery":
            params["kind"] = self.kind
        if self.bands != self.settings.bands:
            params["bands"] = ",".join(map(str, self.bands))
        if self.choosing and with_municipality:
            params["municipality"] = self.municipality.code
        params.update(extra)
        return urlencode(params, doseq=True)

    def context(self, **more):
        return {
            "municipality": self.municipality,
            "municipality_choices": self.choices,
            "form": self.form,
            "kind": self.kind,
            "kind_label": KIND_LABELS[self.kind],
            "bands": self.bands,
            "result": self.result,
            "error": self.error,
            "query": self.query(),
            "object_query": self.query(with_municipality=False),
            "settings_threshold": self.settings.strategic_threshold,
            "job": self.job,
            "previous": self.previous,
            **more,
        }


def band_legend(result):
    count = len(result["bands"])
    return [
        {
            "label": band_label(band),
            "population": band["population"],
            "colour": colour_index(b, count),
        }
        for b, band in enumerate(result["bands"])
    ]


def colour_index(band, count):
    last = len(BAND_COLOURS) - 1
    return round(band * last / max(count - 1, 1))


def map_config(page, *, squares_url, markers, pick=False):
    """The map's settings for analysis.js: where the squares are, colours, markers."""
    count = len(page.result["bands"]) if page.result else 0
    config = {
        "squaresUrl": squares_url,
        "colours": [BAND_COLOURS[colour_index(b, count)] for b in range(count)],
        "markers": [m for m in markers if m["lat"] is not None],
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        "labels": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "closePopup": _("Close"),
            "loading": _("Loading the squares…"),
            "failed": _(
                "The squares could not be loaded; the tables show the same figures."
            ),
        },
        "pick": pick,
    }
    if pick and config["markers"]:
        config["affine"] = _local_affine(config["markers"])
    return config


def _local_affine(markers):
    """SWEREF 99 TM near the markers as a linear function of latitude and longitude,
    for filling in a clicked position (metres off at most, over a municipality)."""
    lat0 = sum(m["lat"] for m in markers) / len(markers)
    lng0 = sum(m["lng"] for m in markers) / len(markers)
    n0, e0 = sweref_from_wgs84(lat0, lng0)
    n_lat, e_lat = sweref_from_wgs84(lat0 + 0.1, lng0)
    n_lng, e_lng = sweref_from_wgs84(lat0, lng0 + 0.1)
    return {
        "lat0": lat0,
        "lng0": lng0,
        "e0": e0,
        "n0": n0,
        "eLat": (e_lat - e0) / 0.1,
        "eLng": (e_lng - e0) / 0.1,
        "nLat": (n_lat - n0) / 0.1,
        "nLng": (n_lng - n0) / 0.1,
    }


def _markers(page, outlets, spec=None):
    spec = spec or ScenarioSpec()
    moved = {m[0]: m for m in spec.moved}
    markers = [
        locality_marker(locality)
        for locality in Locality.objects.filter(municipality=page.municipality)
    ]
    for outlet in outlets:
        marker = outlet_marker(outlet)
        if outlet.pk in spec.closed:
            marker.update(
                closed=True,
                label=_("%(kind)s, closed in the scenario")
                % {"kind": outlet.get_kind_display()},
            )
        if outlet.pk in moved:
            marker["lat"], marker["lng"] = wgs84_from_sweref(
                moved[outlet.pk][2], moved[outlet.pk][1]
            )
            marker["label"] = _("%(kind)s, moved in the scenario") % {
                "kind": outlet.get_kind_display()
            }
        markers.append(marker)
    for name, kinds, easting, northing in spec.added:
        latitude, longitude = wgs84_from_sweref(northing, easting)
        markers.append(
            {
                "lat": latitude,
                "lng": longitude,
                "name": name,
                "url": "#scenario-changes",
                "category": kinds[0] if kinds else "other",
                "closed": False,
                "label": _("New in the scenario"),
            }
        )
    return markers


def map_context(page, outlets, *, shown, spec=None, squares_params=None, pick=False):
    """The map and its legends for a result: today's, or a scenario's (`spec`)."""
    markers = _markers(page, outlets, spec)
    return {
        "legend": band_legend(shown),
        "marker_legend": map_legend(markers),
        "map_config": map_config(
            page,
            squares_url=reverse("analysis:squares")
            + "?"
            + page.query(**(squares_params or {})),
            markers=markers,
            pick=pick,
        ),
    }


@require_safe
def analysis_view(request):
    """A municipality's service analysis: bands, localities, outlets, candidates."""
    page = Page(request)
    context = page.context()
    if page.no_population:
        context.update(_population_missing(request.user, page.municipality))
    if page.result:
        outlets = outlets_for_choice(municipality=page.municipality, result=page.result)
        context.update(
            tables=result_tables(page.result),
            **map_context(page, outlets, shown=page.result),
        )
    elif page.previous:
        # Out of date while today's are computed: the tables, not the map (whose
        # squares would be computed from today's inputs).
        context.update(tables=result_tables(page.previous))
    return render(request, "analysis/analysis.html", context)


def _population_missing(user, municipality):
    """Who can load the missing population: the user, or whom to ask."""
    return {
        "population_missing": True,
        "can_load_population": can_load_population(user)
        and user.municipality_id == municipality.pk,
        "population_loaders": User.objects.filter(
            role=Role.ADMINISTRATOR, municipality=municipality, is_active=True
        ).order_by("full_name")
        if user.is_municipal_staff
        else [],
    }


def _scenario_form(request, page, data=None):
    outlets = outlets_for_choice(municipality=page.municipality, result=page.result)
    bound = (
        data
        if data is not None
        else (request.GET if any(f in request.GET for f in SCENARIO_FIELDS) else None)
    )
    return ScenarioForm(bound, outlets=outlets), outlets


def _scenario_query(form):
    """The form's changes as query parameters, to reload or export them."""
    return {
        name: form.data.getlist(name) if name == "close" else form.data.get(name, "")
        for name in SCENARIO_FIELDS
        if form.data.get(name)
    }


@require_safe
def scenario_editor(request):
    """Close, add or move outlets and see what changes; the register is untouched."""
    page = Page(request)
    if page.result is None:
        return render(request, "analysis/scenario_editor.html", page.context())
    form, outlets = _scenario_form(request, page)
    return _render_editor(request, page, form, outlets)


def _render_editor(request, page, form, outlets, save_form=None, status=200):
    after = spec = None
    error = None
    if form.is_bound and form.is_valid():
        spec = form.spec()
        if not spec.is_empty():
            after = page.run(spec)
            if after is None:
                error = page.last_error
    context = page.context(
        scenario_form=form,
        after=after,
        scenario_error=error,
        can_save=can_save_scenario(request.user, page.municipality),
        save_form=save_form,
    )
    scenario_params = _scenario_query(form) if form.is_bound else {}
    context.update(
        map_context(
            page,
            outlets,
            shown=after or page.result,
            spec=spec if after else None,
            squares_params=scenario_params if after else None,
            pick=True,
        )
    )
    if after:
        context.update(
            change=change_table(page.result, after),
            export_query=page.query(**scenario_params),
            save_form=save_form
            or ScenarioSaveForm(
                initial=form.cleaned_data,
                outlets=outlets,
                municipality=page.municipality,
            ),
            after_tables=result_tables(after)[2:3],
        )
    return render(request, "analysis/scenario_editor.html", context, status=status)


@require_POST
def scenario_save(request):
    """Keep the editor's changes under a name; a bad post changes nothing."""
    page = Page(request)
    if not can_save_scenario(request.user, page.municipality):
        raise PermissionDenied
    if page.result is None:
        return render(request, "analysis/scenario_editor.html", page.context())
    outlets = outlets_for_choice(municipality=page.municipality, result=page.result)
    save_form = ScenarioSaveForm(
        request.POST, outlets=outlets, municipality=page.municipality
    )
    if save_form.is_valid():
        spec = save_form.spec()
        if page.run(spec) is None:
            save_form.add_error(None, page.last_error)
        else:
            scenario = scenario_create(
                municipality=page.municipality,
                name=save_form.cleaned_data["name"],
                spec=spec,
                by=request.user,
            )
            messages.success(
                request,
                _("The scenario “%(name)s” is saved.") % {"name": scenario.name},
            )
            return redirect(
                reverse("analysis:scenario_detail", args=[scenario.pk])
                + "?"
                + page.query()
            )
    form = ScenarioForm(request.POST, outlets=outlets)
    return _render_editor(request, page, form, outlets, save_form=save_form)


@require_safe
def scenario_list(request):
    """The municipality's saved scenarios, to open or compare."""
    page = Page(request)
    scenarios = (
        Scenario.objects.visible_to(request.user)
        .filter(municipality=page.municipality)
        .select_related("created_by")
        .prefetch_related("closed_outlets", "added_outlets", "moved_outlets__outlet")
    )
    return render(
        request,
        "analysis/scenario_list.html",
        page.context(
            scenarios=scenarios, compare_form=CompareForm(scenarios=scenarios)
        ),
    )


@require_safe
def scenario_detail(request, pk):
    """A saved scenario: its changes, the figures before and after, the map."""
    scenario = get_object_or_404(
        Scenario.objects.visible_to(request.user).select_related(
            "municipality", "created_by"
        ),
        pk=pk,
    )
    page = Page(request, municipality=scenario.municipality)
    spec = scenario_spec(scenario)
    after = page.run(spec) if page.result else None
    context = page.context(
        scenario=scenario,
        spec=spec,
        after=after,
        scenario_error=None if after or not page.result else page.last_error,
        can_delete=can_delete_scenario(request.user, scenario),
        history=scenario_history(scenario=scenario),
        editor_query=page.query(**_saved_query(scenario)),
    )
    if page.result:
        outlets = outlets_for_choice(municipality=page.municipality, result=page.result)
        context.update(
            map_context(
                page,
                outlets,
                shown=after or page.result,
                spec=spec if after else None,
                squares_params={"scenario": scenario.pk} if after else None,
            )
        )
    if after:
        context.update(
            change=change_table(page.result, after),
            export_query=page.query(scenario=scenario.pk),
        )
    return render(request, "analysis/scenario_detail.html", context)


def _saved_query(scenario):
    """A saved scenario as the editor's parameters (its first addition and move)."""
    params = {"close": [o.pk for o in scenario.closed_outlets.all()]}
    added = scenario.added_outlets.first()
    if added:
        params.update(
            add_name=added.name,
            add_kind=added.kind,
            add_easting=added.easting,
            add_northing=added.northing,
        )
        if added.is_service_point:
            params["add_service_point"] = "on"
    moved = scenario.moved_outlets.first()
    if moved:
        params.update(
            move_outlet=moved.outlet_id,
            move_easting=moved.easting,
            move_northing=moved.northing,
        )
    return params


@require_POST
def scenario_delete_view(request, pk):
    """Delete a scenario one may delete; any other is not found."""
    scenario = get_object_or_404(
        Scenario.objects.editable_by(request.user).select_related("municipality"),
        pk=pk,
    )
    scenario_delete(scenario=scenario, by=request.user)
    messages.success(
        request, _("The scenario “%(name)s” is deleted.") % {"name": scenario.name}
    )
    return redirect("analysis:scenario_list")


def _compare(request, page):
    scenarios = list(
        Scenario.objects.visible_to(request.user).filter(municipality=page.municipality)
    )
    form = CompareForm(request.GET or None, scenarios=scenarios)
    results, errors = [], []
    if form.is_valid() and page.result:
        chosen = [s for s in scenarios if s.pk in form.cleaned_data["scenario"]]
        for scenario in chosen:
            after = page.run(scenario_spec(scenario))
            if after is None:
                errors.append(f"{scenario.name}: {page.last_error}")
            else:
                results.append((scenario.name, after))
    table = compare_table(page.result, results) if len(results) >= 2 else None
    return form, table, errors


@require_safe
def scenario_compare(request):
    """Two or more saved scenarios side by side."""
    page = Page(request)
    form, table, errors = _compare(request, page)
    return render(
        request,
        "analysis/scenario_compare.html",
        page.context(
            compare_form=form,
            table=table,
            compare_errors=errors,
            export_query=page.query(scenario=form.data.getlist("scenario"))
            if table
            else "",
        ),
    )


@require_safe
@gzip_page
def squares_json(request):
    """The map's squares as compact JSON: centres, sides and band per square."""
    page = Page(request)
    if page.result is None:
        return JsonResponse(compact_squares([], [], [], []))
    spec = _request_spec(request, page)
    if spec is None:
        return JsonResponse({"error": _("The scenario is not valid.")}, status=400)
    try:
        data = square_bands(
            municipality=page.municipality,
            kind=page.kind,
            bands=page.bands,
            scenario=spec,
        )
    except KeyError:
        return JsonResponse({"error": _("The scenario is not valid.")}, status=400)
    return JsonResponse(data)


def _request_spec(request, page):
    """The scenario a GET names: a saved one, the editor's fields, or none."""
    if request.GET.get("scenario"):
        try:
            pk = int(request.GET["scenario"])
        except ValueError:
            return None
        scenario = (
            Scenario.objects.visible_to(request.user)
            .filter(municipality=page.municipality, pk=pk)
            .first()
        )
        return scenario_spec(scenario) if scenario else None
    form, _outlets = _scenario_form(request, page)
    if not form.is_bound:
        return ScenarioSpec()
    return form.spec() if form.is_valid() else None


@require_safe
def export_csv(request):
    """Any table of the pages as CSV, headers in the user's language."""
    page = Page(request)
    if page.result is None:
        raise Http404
    wanted = request.GET.get("table", "")
    if wanted == "compare":
        _form, table, _errors = _compare(request, page)
    elif wanted == "scenario":
        spec = _request_spec(request, page)
        after = page.run(spec) if spec and not spec.is_empty() else None
        table = change_table(page.result, after) if after else None
    else:
        table = next((t for t in result_tables(page.result) if t.key == wanted), None)
    if table is None:
        raise Http404
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    name = f"serviceanalys-{page.municipality.code}-{page.kind}-{table.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def analysis_settings_view(request):
    """The municipality's detour factor, default bands and strategic threshold, kept
    by its administrators; everyone else finds nothing."""
    user = request.user
    if not can_edit_analysis_settings(user):
        raise Http404
    stored = AnalysisSettings.for_municipality(user.municipality)
    form = AnalysisSettingsForm(
        request.POST if request.method == "POST" else None, instance=stored
    )
    if request.method == "POST" and form.is_valid():
        try:
            analysis_settings_save(analysis_settings=form.instance, by=user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("analysis:settings")
    return render(
        request,
        "analysis/analysis_settings.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@require_POST
def recompute_view(request):
    """Compute a municipality's grocery figures anew from today's register,
    population and settings, then back to the locality page that offered it (or
    the analysis); those who may not recompute find nothing."""
    municipality = Municipality.objects.filter(
        code=request.POST.get("municipality", "")
    ).first()
    if municipality is None or not can_recompute_analysis(request.user, municipality):
        raise Http404
    locality = Locality.objects.filter(
        municipality=municipality, pk=_int_or_none(request.POST.get("locality"))
    ).first()
    try:
        outcome = service_analysis_or_job(municipality=municipality)
    except AnalysisError as error:
        messages.error(request, str(error))
    else:
        if outcome.job is None:
            messages.success(
                request,
                _("The figures are computed anew from today's register and data."),
            )
        else:
            if outcome.job.status == outcome.job.Status.FAILED:
                analysis_job_retry(job=outcome.job)
            messages.info(
                request,
                _(
                    "The figures are being computed anew in the background; the "
                    "analysis page shows them when they are done."
                ),
            )
    if locality is not None:
        return redirect(locality.get_absolute_url() + "#locality-analysis")
    target = reverse("analysis:analysis")
    if not request.user.is_municipal_staff:
        target += "?" + urlencode({"municipality": municipality.code})
    return redirect(target)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
