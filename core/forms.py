"""Form helpers every app uses: a service's errors on a form or as messages, and
the fields and labels the interface draws the same way everywhere."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def form_add_service_errors(form, error: ValidationError):
    """Show a service's errors on the form: on their field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def show_errors(request, error: ValidationError):
    """Show a service's errors as messages, for actions without a form of their own."""
    for message in error.messages:
        messages.error(request, message)


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NoColonMixin:
    """Labels without Django's trailing colon, as elsewhere in the interface."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
