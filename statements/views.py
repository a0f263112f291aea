"""The accessibility statement (public) and the municipality's contacts for it and
for the privacy notice (its administrators; everyone else finds nothing)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.views import form_action
from statements import content
from statements.forms import StatementSettingsForm
from statements.models import StatementSettings
from statements.permissions import can_edit_statement_settings
from statements.selectors import municipalities_to_choose, statement_audience
from statements.services import statement_settings_save


@login_not_required
@require_safe
def accessibility_statement(request):
    """The accessibility statement after DIGG's model: the national version, or a
    municipality's (`?municipality=2401`) with its contact for feedback."""
    audience = statement_audience(request.GET)
    updated_on = content.UPDATED_ON
    if audience.contacts is not None and audience.contacts.pk:
        updated_on = max(updated_on, audience.contacts.updated_at.date())
    return render(
        request,
        "statements/accessibility_statement.html",
        {
            "audience": audience,
            "municipality": audience.municipality,
            "contacts": audience.contacts,
            "footer_municipality": audience.municipality,
            "municipalities": municipalities_to_choose(),
            "compliance": content.COMPLIANCE,
            "shortcomings": content.SHORTCOMINGS,
            "assessed_on": content.ASSESSED_ON,
            "updated_on": updated_on,
            "digg_report_url": content.DIGG_REPORT_URL,
        },
        status=audience.status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def statement_settings_view(request):
    """The municipality's public contacts for its statements."""
    user = request.user
    if not can_edit_statement_settings(user, user.municipality_id):
        raise Http404
    stored = StatementSettings.for_municipality(user.municipality)

    def show(form, status=200):
        return render(
            request,
            "statements/statement_settings.html",
            {"form": form, "municipality": user.municipality},
            status=status,
        )

    if request.method != "POST":
        return show(StatementSettingsForm(instance=stored))
    return form_action(
        request,
        form=StatementSettingsForm(request.POST, instance=stored),
        action=lambda form: statement_settings_save(
            statement_settings=form.instance, by=user
        ),
        done=_("The contacts are saved."),
        reshow=lambda form: show(form, status=400),
        then="statements:settings",
    )
