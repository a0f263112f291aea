"""Finding fields that look personal and are not in the registry."""

import re

from django.apps import apps
from django.conf import settings

from privacy.registry import NOT_PERSONAL, personal_fields

# A field is suspected personal by its name, or when it points at a user.
PERSONAL_NAME = re.compile(r"e_?mail|phone|name")


def field_label(field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def is_history_copy(model) -> bool:
    """pghistory's event tables copy tracked fields; erasure treats them with
    their tracked model."""
    return hasattr(model, "pgh_tracked_model") or model._meta.app_label == "pghistory"


def suspected_personal_fields(models) -> list[str]:
    suspected = []
    for model in models:
        if is_history_copy(model):
            continue
        for field in model._meta.get_fields(include_hidden=False):
            if field.auto_created or not (field.concrete or field.many_to_many):
                continue
            points_at_user = field.is_relation and model_label(field.related_model) == (
                settings.AUTH_USER_MODEL
            )
            if points_at_user or PERSONAL_NAME.search(field.name):
                suspected.append(field_label(field))
    return suspected


def model_label(model) -> str:
    """A model's "app_label.Model", also for one named by a string not yet resolved."""
    return model if isinstance(model, str) else model._meta.label


def unregistered_personal_fields(models) -> list[str]:
    known = set(personal_fields()) | set(NOT_PERSONAL)
    return [label for label in suspected_personal_fields(models) if label not in known]


def project_models():
    project_apps = {
        config.label
        for config in apps.get_app_configs()
        if str(config.path).startswith(str(settings.BASE_DIR))
        and ".venv" not in str(config.path)
    }
    return [
        model for model in apps.get_models() if model._meta.app_label in project_apps
    ]
