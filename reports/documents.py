"""The annual report (Swedish: *årsrapport*): one PDF/A-3a per municipality and
calendar year, in Swedish, for the municipal board."""

import datetime

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents import (
    css_string,
    html_render_pdf_a3a,
    municipality_logo,
    page_counter_content,
)
from deliveries.selectors import delivery_summary
from followup.models import Activity, ChecklistResult, FollowUp, Training
from outlets.models import Outlet
from outlets.selectors import service_point_choices_for_report
from programme.selectors import goal_results, investments_in_year
from reports.selectors import (
    COUNTED_REPORTS,
    actions_carried_over,
    municipality_kpis,
    outlet_kpis,
    payouts_in_year,
    service_points,
)
from surveys.selectors import municipality_survey_results

TEMPLATE_NAME = "reports/annual_report_pdf.html"


def annual_report_context(*, municipality, year, today):
    outlets = Outlet.objects.filter(municipality=municipality)
    followups = (
        FollowUp.objects.filter(agreement__municipality=municipality, due_on__year=year)
        .select_related("agreement__outlet", "report", "site_visit", "meeting")
        .prefetch_related(
            "meeting__actions",
            Prefetch(
                "site_visit__results",
                queryset=ChecklistResult.objects.filter(
                    result=ChecklistResult.Result.NOT_OK
                ).select_related("criterion"),
                to_attr="not_ok",
            ),
        )
        .order_by("agreement__outlet__name", "agreement_year")
    )
    deliveries = delivery_summary(outlets=outlets, year=year)
    investments = investments_in_year(municipality=municipality, year=year).order_by(
        "outlet__name", "made_on", "pk"
    )
    municipality_name = str(municipality)
    # The year is not over: its figures will still change.
    preliminary = today <= datetime.date(year, 12, 31)
    return {
        "municipality": municipality,
        "municipality_name": municipality_name,
        "logo": municipality_logo(municipality),
        "year": year,
        "today": today,
        "kpis": municipality_kpis(municipality=municipality, year=year, today=today),
        "goal_results": goal_results(municipality=municipality, year=year, today=today),
        "service_points": service_points(municipality=municipality, year=year),
        "investments": investments,
        "investments_total": investments.financing_totals(),
        "service_point_choices": service_point_choices_for_report(
            municipality=municipality, year=year
        ),
        "payouts": payouts_in_year(municipality=municipality, year=year),
        "followups": [(followup, followup.status_on(today)) for followup in followups],
        "counted_reports": COUNTED_REPORTS,
        "actions_carried_over": actions_carried_over(
            municipality=municipality, year=year
        ),
        "preliminary": preliminary,
        "outlet_kpis": outlet_kpis(outlets=outlets, until_year=year),
        "survey": municipality_survey_results(municipality=municipality, year=year),
        "deliveries": deliveries,
        "deliveries_total": deliveries.total,
        "trainings": Training.objects.filter(
            municipality=municipality, held_on__year=year
        )
        .prefetch_related("outlets")
        .order_by("held_on"),
        "activities": Activity.objects.filter(
            outlet__municipality=municipality, held_on__year=year
        )
        .select_related("outlet")
        .order_by("outlet__name", "held_on"),
        "footer_reference": css_string(
            (
                _("Preliminary annual report %(year)s, %(municipality)s")
                if preliminary
                else _("Annual report %(year)s, %(municipality)s")
            )
            % {"year": year, "municipality": municipality_name}
        ),
        "page_counter": page_counter_content(),
    }


def annual_report_render_pdf(*, municipality, year: int, today=None) -> bytes:
    """The annual report as PDF/A-3a in Swedish. Dated `today` (the figures depend
    on it: what is overdue), so renders on one day give the same bytes."""
    today = today or timezone.localdate()
    with translation.override("sv"):
        context = annual_report_context(
            municipality=municipality, year=year, today=today
        )
        html = render_to_string(TEMPLATE_NAME, context)
    created = datetime.datetime.combine(today, datetime.time(), datetime.UTC)
    return html_render_pdf_a3a(html, created=created)
