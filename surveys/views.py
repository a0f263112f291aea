"""The public survey form of a service point, and the administrators' page of the
municipality's questions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.throttles import throttle_allows
from core.forms import show_errors
from core.requests import client_address
from core.views import form_action
from outlets.models import Outlet
from outlets.selectors import service_points_q
from surveys.forms import (
    HONEYPOT,
    QuestionForm,
    SurveyForm,
    survey_token,
    survey_token_nonce,
)
from surveys.models import SurveyQuestion
from surveys.permissions import can_edit_survey_questions
from surveys.services import (
    survey_question_add,
    survey_question_set_active,
    survey_questions_seed,
    survey_response_submit,
)

THROTTLE_KIND = "survey-answer"
THROTTLE_WINDOW_SECONDS = 60


def _service_point(pk):
    """A current service point; any other outlet is missing to the public."""
    return get_object_or_404(
        Outlet.objects.filter(service_points_q()).select_related("municipality"),
        pk=pk,
    )


def _survey_page(
    request, outlet, form, *, token, status=200, refused=False, expired=False
):
    return render(
        request,
        "surveys/survey_form.html",
        {
            "outlet": outlet,
            "form": form,
            "token": token,
            "honeypot": HONEYPOT,
            "refused": refused,
            "expired": expired,
        },
        status=status,
    )


@login_not_required
@never_cache  # each page's token is its own: a cached copy would share one
@ensure_csrf_cookie
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request, pk):
    """The survey of a service point (Swedish: *kundenkät*), reached from its sign's
    QR code and its public page. Anonymous: nothing about the person who answers
    is kept, not even their address (the limit counts it in memory for a minute)."""
    outlet = _service_point(pk)
    questions = survey_questions_seed(municipality=outlet.municipality)
    if request.method != "POST":
        form = SurveyForm(questions=questions)
        return _survey_page(request, outlet, form, token=survey_token(outlet))

    if request.POST.get(HONEYPOT):
        # A robot filled in the field no person sees: it is thanked, nothing stored.
        return redirect("surveys:thanks", pk=outlet.pk)
    form = SurveyForm(request.POST, questions=questions)
    token = request.POST.get("token", "")
    nonce = survey_token_nonce(token, outlet)
    if not form.is_valid() or nonce is None:
        # A stale or forged token gets a fresh one; the answers stay in the form.
        # Only when the answers are fine is the expiry worth a message of its own.
        return _survey_page(
            request,
            outlet,
            form,
            token=token if nonce else survey_token(outlet),
            status=400,
            expired=form.is_valid(),
        )
    # Answers that would be stored count against the address's limit.
    if not throttle_allows(
        THROTTLE_KIND,
        client_address(request),
        settings.SURVEY_ANSWERS_PER_MINUTE,
        window=THROTTLE_WINDOW_SECONDS,
    ):
        # The answers stay in the form, to send again a minute later.
        response = _survey_page(
            request,
            outlet,
            form,
            token=request.POST.get("token", ""),
            status=429,
            refused=True,
        )
        response["Retry-After"] = str(THROTTLE_WINDOW_SECONDS)
        return response
    survey_response_submit(
        outlet=outlet,
        nonce=nonce,
        answers=form.answers(),
        today=timezone.localdate(),
    )
    # Sent twice (a double tap, a reload): stored once, thanked both times.
    return redirect("surveys:thanks", pk=outlet.pk)


@login_not_required
@require_safe
def survey_thanks(request, pk):
    outlet = _service_point(pk)
    return render(request, "surveys/survey_thanks.html", {"outlet": outlet})


def _questions_page(request, municipality, *, form=None, status=200):
    questions = list(
        SurveyQuestion.objects.filter(municipality=municipality).order_by(
            "-is_active", "position", "pk"
        )
    )
    return render(
        request,
        "surveys/question_list.html",
        {
            "in_use": [q for q in questions if q.is_active],
            "out_of_use": [q for q in questions if not q.is_active],
            "form": form or QuestionForm(),
            "answers_per_minute": settings.SURVEY_ANSWERS_PER_MINUTE,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def question_list(request):
    """The municipality's survey questions; a POST adds one at the end."""
    if not can_edit_survey_questions(request.user):
        raise Http404
    municipality = request.user.municipality
    if request.method != "POST":
        survey_questions_seed(municipality=municipality)
        return _questions_page(request, municipality)
    return form_action(
        request,
        form=QuestionForm(request.POST),
        action=lambda form: survey_question_add(
            municipality=municipality, by=request.user, **form.cleaned_data
        ),
        done=lambda question: (
            _("“%(question)s” is added to the survey.") % {"question": question.text}
        ),
        reshow=lambda form: _questions_page(
            request, municipality, form=form, status=400
        ),
        then="surveys:questions",
    )


def _set_active(request, pk, *, active):
    question = get_object_or_404(
        SurveyQuestion.objects.editable_by(request.user), pk=pk
    )
    try:
        survey_question_set_active(question=question, by=request.user, active=active)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            (
                _("“%(question)s” is back in the survey.")
                if active
                else _("“%(question)s” is out of the survey. Its answers still count.")
            )
            % {"question": question.text},
        )
    return redirect("surveys:questions")


@require_POST
def question_retire(request, pk):
    return _set_active(request, pk, active=False)


@require_POST
def question_restore(request, pk):
    return _set_active(request, pk, active=True)
