"""The forms of the agreement text's page: a clause, and the municipality's
organisation number. What a clause may say is the service's to check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.clauses import clause_text_too_long
from agreements.models import CLAUSE_TITLE_MAX_LENGTH
from core.forms import NoColonMixin


class ClauseForm(NoColonMixin, forms.Form):
    title = forms.CharField(
        label=_("Heading"),
        max_length=CLAUSE_TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Write the clause's heading."),
            "max_length": _(
                "Keep the heading to %(limit_value)d characters (it has "
                "%(show_value)d)."
            ),
        },
        help_text=_("E.g. “Signs and marketing”."),
    )
    # No maxlength in the browser, which would cut a pasted text short without a
    # word: the service says how long the text is and what the limit is.
    text = forms.CharField(
        label=_("Text"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": _("Write the clause's text.")},
        help_text=_(
            "Plain text, in Swedish as the agreement is: a blank line starts a new "
            "paragraph. Write “kommunen” and “servicepunkten” for the parties."
        ),
    )

    def clean_text(self):
        # Said with the other fields' errors, not only once they are right.
        text = self.cleaned_data["text"]
        if error := clause_text_too_long(text.strip()):
            raise error
        return text


class OrganisationNumberForm(NoColonMixin, forms.Form):
    organisation_number = forms.CharField(
        label=_("The municipality's organisation number"),
        max_length=20,
        error_messages={
            "required": _("Write the municipality's organisation number."),
            "max_length": _(
                "The organisation number is not valid: check the ten digits "
                "(NNNNNN-NNNN)."
            ),
        },
        help_text=_("Ten digits, NNNNNN-NNNN: printed in the agreements' party block."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
