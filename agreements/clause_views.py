"""The municipality's agreement text: its administrators keep the clauses and the
organisation number that every agreement it drafts prints; its officials read them.
Everyone else finds nothing (404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements.clause_forms import ClauseForm, OrganisationNumberForm
from agreements.clauses import (
    CLAUSES_MAX,
    agreement_text_history,
    clause_paragraphs,
    default_clauses,
)
from agreements.models import AgreementClause
from agreements.permissions import can_edit_agreement_text, can_read_agreement_text
from agreements.services.clauses import (
    agreement_clause_add,
    agreement_clause_move,
    agreement_clause_remove,
    agreement_clause_update,
    agreement_clauses_adopt,
)
from core.forms import show_errors
from core.views import form_action
from outlets.services import municipality_organisation_number_set


def _text_url(clause=None):
    url = reverse("agreements:agreement_text")
    return f"{url}#clause-{clause.pk}" if clause is not None else url


def _text_page(request, *, form=None, number_form=None, status=200):
    municipality = request.user.municipality
    stored = list(AgreementClause.objects.visible_to(request.user))
    for clause in stored:
        clause.paragraphs = clause_paragraphs(clause.text)
    defaults = [] if stored else default_clauses()
    for clause in defaults:
        clause["paragraphs"] = clause_paragraphs(clause["text"])
    return render(
        request,
        "agreements/clause_list.html",
        {
            "municipality": municipality,
            "clauses": stored,
            "default_clauses": defaults,
            "can_edit": can_edit_agreement_text(request.user),
            "can_add": len(stored) < CLAUSES_MAX,
            "form": form or ClauseForm(),
            "number_form": number_form
            or OrganisationNumberForm(
                initial={"organisation_number": municipality.organisation_number}
            ),
            "history": agreement_text_history(municipality),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def agreement_text_view(request):
    """The agreement text in order, with its history. A POST adds a clause at the
    end, or (while the municipality has no text of its own) adopts the default."""
    if not can_read_agreement_text(request.user):
        raise Http404
    if request.method != "POST":
        return _text_page(request)
    if not can_edit_agreement_text(request.user):
        raise Http404
    municipality = request.user.municipality
    if "adopt" in request.POST:
        try:
            agreement_clauses_adopt(municipality=municipality, by=request.user)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(
                request,
                _(
                    "The default text is now your municipality's own: change, add "
                    "and reorder its clauses below."
                ),
            )
        return redirect("agreements:agreement_text")
    return form_action(
        request,
        form=ClauseForm(request.POST),
        action=lambda form: agreement_clause_add(
            municipality=municipality, by=request.user, **form.cleaned_data
        ),
        done=lambda clause: (
            _("“%(title)s” is added at the end of the agreement text.")
            % {"title": clause.title}
        ),
        reshow=lambda form: _text_page(request, form=form, status=400),
        then=None,
    )


def _editable_clause(request, pk):
    return get_object_or_404(AgreementClause.objects.editable_by(request.user), pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
def clause_update_view(request, pk):
    """Reword a clause: new drafts print the new text at once; versions made ready
    for signature keep theirs."""
    clause = _editable_clause(request, pk)

    def show(form, status=200):
        return render(
            request,
            "agreements/clause_form.html",
            {"clause": clause, "form": form},
            status=status,
        )

    initial = {"title": clause.title, "text": clause.text}
    if request.method != "POST":
        return show(ClauseForm(initial=initial))
    return form_action(
        request,
        form=ClauseForm(request.POST, initial=initial),
        action=lambda form: agreement_clause_update(
            clause=clause, by=request.user, **form.cleaned_data
        ),
        done=lambda saved: _("“%(title)s” is saved.") % {"title": saved.title},
        reshow=lambda form: show(form, status=400),
        then=_text_url(clause),
    )


@require_POST
def clause_move_view(request, pk):
    clause = _editable_clause(request, pk)
    try:
        agreement_clause_move(
            clause=clause, by=request.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect(_text_url(clause))


@require_POST
def clause_remove_view(request, pk):
    clause = _editable_clause(request, pk)
    try:
        agreement_clause_remove(clause=clause, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
        return redirect(_text_url(clause))
    messages.success(
        request,
        _(
            "“%(title)s” is removed from the agreement text. Agreements made ready "
            "for signature keep it."
        )
        % {"title": clause.title},
    )
    return redirect(_text_url())


@require_POST
def organisation_number_view(request):
    """The municipality's organisation number, printed in its agreements."""
    if not can_edit_agreement_text(request.user):
        raise Http404
    return form_action(
        request,
        form=OrganisationNumberForm(request.POST),
        action=lambda form: municipality_organisation_number_set(
            municipality=request.user.municipality,
            by=request.user,
            **form.cleaned_data,
        ),
        done=lambda municipality: (
            _("The organisation number %(number)s is saved.")
            % {"number": municipality.organisation_number}
        ),
        reshow=lambda form: _text_page(request, number_form=form, status=400),
        then=_text_url(),
    )
