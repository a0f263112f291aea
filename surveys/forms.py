"""The public survey form, built from a municipality's questions, and the
administrators' form for a new question."""

import uuid

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.forms import NoColonMixin
from surveys.models import (
    MAX_DISTANCE_KM,
    MAX_OPTIONS,
    SATISFACTION_SCALE,
    SurveyQuestion,
)

TOKEN_SALT = "surveys.answer"
# A phone left on the form for an afternoon can still send it.
TOKEN_MAX_AGE_SECONDS = 24 * 60 * 60
# The field a person never sees and a form-filling robot fills in.
HONEYPOT = "website"

SATISFACTION_CHOICES = [(str(step), label) for step, label in SATISFACTION_SCALE]


def survey_token(outlet) -> str:
    """A signed one-time token for a form of the outlet's survey."""
    value = {"outlet": outlet.pk, "nonce": uuid.uuid4().hex}
    return signing.dumps(value, salt=TOKEN_SALT)


def survey_token_nonce(token: str, outlet) -> uuid.UUID | None:
    """The nonce of a token this server signed for this outlet's form, not expired."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
        if value["outlet"] != outlet.pk:
            return None
        return uuid.UUID(value["nonce"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _in_swedish(text):
    """The municipality's own text (a question, an option), which is Swedish on the
    English page too: marked so, for a screen reader to read it as Swedish."""
    return format_html('<span lang="sv">{}</span>', text)


class SurveyForm(NoColonMixin, forms.Form):
    """One field per question in use; every question may be left unanswered, but
    not all of them. (The page's token is checked by the view: an expired one is
    no error of the person's.)"""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {}
        for question in questions:
            name = f"question_{question.pk}"
            self.questions[name] = question
            self.fields[name] = self._field_for(question)

    @staticmethod
    def _field_for(question):
        if question.kind == SurveyQuestion.Kind.DISTANCE:
            return forms.IntegerField(
                label=_in_swedish(question.text),
                required=False,
                min_value=0,
                max_value=MAX_DISTANCE_KM,
                help_text=_("In whole kilometres, one way."),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "invalid": _("Write the distance as a whole number of km."),
                    "min_value": _("The distance cannot be negative."),
                    "max_value": _("Write a distance of at most %(limit_value)s km."),
                },
            )
        choices = (
            SATISFACTION_CHOICES
            if question.kind == SurveyQuestion.Kind.SATISFACTION
            else [(option, _in_swedish(option)) for option in question.options]
        )
        return forms.ChoiceField(
            label=_in_swedish(question.text),
            required=False,
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choose one of the options.")},
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.answers():
            raise ValidationError(
                _("Answer at least one question."), code="nothing_answered"
            )
        return cleaned

    def answers(self) -> dict:
        """Each question answered, with its option (text) or number."""
        answers = {}
        for name, question in self.questions.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if question.kind == SurveyQuestion.Kind.SATISFACTION:
                value = int(value)
            answers[question] = value
        return answers


class QuestionForm(NoColonMixin, forms.Form):
    text = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of answer"),
        choices=SurveyQuestion.Kind.choices,
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a question with options: one option a line, two to ten."),
    )

    def clean_options(self):
        lines = [
            line.strip()
            for line in self.cleaned_data["options"].splitlines()
            if line.strip()
        ]
        if any(len(line) > 100 for line in lines):
            raise ValidationError(
                _("Keep each option to at most 100 characters."), code="too_long"
            )
        if len(lines) > MAX_OPTIONS:
            raise ValidationError(
                _("Give at most %(count)s options.") % {"count": MAX_OPTIONS},
                code="too_many",
            )
        if len({line.casefold() for line in lines}) != len(lines):
            raise ValidationError(_("Each option only once, please."), code="duplicate")
        return lines

    def clean(self):
        cleaned = super().clean()
        kind, options = cleaned.get("kind"), cleaned.get("options")
        if (
            kind == SurveyQuestion.Kind.CHOICE
            and options is not None
            and len(options) < 2
        ):
            self.add_error(
                "options",
                ValidationError(
                    _("Give at least two options, one a line."), code="too_few"
                ),
            )
        return cleaned
