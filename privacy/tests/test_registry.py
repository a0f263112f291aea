"""Every field that holds personal data is in the registry (issue 15)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps

from privacy.checks import project_models, unregistered_personal_fields
from privacy.registry import NOT_PERSONAL, REGISTRY, LegalBasis, Retention


@pytest.mark.smoke
def test_every_field_that_looks_personal_is_in_the_registry():
    assert unregistered_personal_fields(project_models()) == []


def test_every_registered_field_exists_and_says_why_on_what_basis_for_how_long():
    for entry in [*REGISTRY]:
        app_model, name = entry.field.rsplit(".", 1)
        apps.get_model(app_model)._meta.get_field(name)
        assert str(entry.what) and str(entry.purpose)
        assert entry.basis in LegalBasis.values
        assert entry.retention in Retention.values
    for label in NOT_PERSONAL:
        app_model, name = label.rsplit(".", 1)
        apps.get_model(app_model)._meta.get_field(name)


def test_the_registry_speaks_swedish():
    assert str(REGISTRY[0].what) == "En användares e-postadress"
    assert str(LegalBasis.LEGAL_OBLIGATION.label).startswith("En rättslig förpliktelse")


@isolate_apps("outlets")
def test_a_new_phone_field_or_user_link_not_in_the_registry_is_found():
    class Shop(models.Model):
        phone = models.CharField(max_length=20)
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        opening_hours = models.TextField()

        class Meta:
            app_label = "outlets"

        def __str__(self):
            return self.phone

    assert unregistered_personal_fields([Shop]) == [
        "outlets.Shop.phone",
        "outlets.Shop.owner",
    ]
