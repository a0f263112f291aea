from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import NoColonMixin
from statements.models import WEBSITE_MESSAGE, StatementSettings

EMAIL_MESSAGE = _("Give an e-mail address such as servicepunkter@kommun.se.")


def _label(name):
    return capfirst(StatementSettings._meta.get_field(name).verbose_name)


class StatementSettingsForm(NoColonMixin, forms.ModelForm):
    # An address typed without its scheme is taken as https.
    website_url = forms.URLField(
        label=_label("website_url"),
        required=False,
        assume_scheme="https",
        max_length=200,
        # A text input as elsewhere in the app, with the phone's keyboard for URLs.
        widget=forms.TextInput(attrs={"inputmode": "url"}),
        error_messages={"invalid": WEBSITE_MESSAGE},
    )

    class Meta:
        model = StatementSettings
        fields = [
            "website_url",
            "programme_email",
            "programme_phone",
            "accessibility_email",
            "accessibility_response_days",
            "data_protection_officer_email",
            "registrar_email",
        ]
        widgets = {
            "programme_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "accessibility_response_days": forms.NumberInput(
                attrs={"min": 1, "max": 60, "class": "input--short"}
            ),
        }
        error_messages = {
            "programme_email": {"invalid": EMAIL_MESSAGE},
            "accessibility_email": {"invalid": EMAIL_MESSAGE},
            "data_protection_officer_email": {"invalid": EMAIL_MESSAGE},
            "registrar_email": {"invalid": EMAIL_MESSAGE},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accessibility_response_days"].error_messages.update(
            required=_("Give the response time as 1 to 60 working days."),
            invalid=_("Give the response time as 1 to 60 working days."),
        )
