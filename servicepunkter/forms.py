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
