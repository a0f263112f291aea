"""Form helpers every app uses: a service's errors on a form or as messages, and
the fields and labels the interface draws the same way everywhere."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


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


class LongSelect(forms.Select):
    """A select with hundreds of options (the country's municipalities, a
    register's localities or outlets), drawn in Python: Django draws each option
    through a template of its own, about 0.1 ms an option, a third of a list page's
    time. The same markup; every value and label escaped as text."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        drawn = []
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                drawn.append(f'<optgroup label="{escape(group_name)}">')
            drawn.extend(
                f'<option value="{escape(option["value"])}"'
                f"{flatatt(option['attrs'])}>{escape(option['label'])}</option>"
                for option in options
            )
            if group_name:
                drawn.append("</optgroup>")
        return mark_safe(  # noqa: S308 (every part above is escaped)
            f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>'
            f"{''.join(drawn)}</select>"
        )


class NoColonMixin:
    """Labels without Django's trailing colon, as elsewhere in the interface."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
