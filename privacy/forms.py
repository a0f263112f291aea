from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NoColonMixin


class PersonSearchForm(NoColonMixin, forms.Form):
    """Finding the person an extract is about, from the query string."""

    q = forms.CharField(
        label=_("Name or e-mail address"), required=False, max_length=254
    )


class RegisterExtractForm(forms.Form):
    """The file to make: the buttons of the person's page."""

    format = forms.ChoiceField(
        choices=[("json", "JSON"), ("pdf", "PDF/A")],
        error_messages={"required": _("Choose JSON or PDF.")},
    )
