"""View helpers every app uses: a form that runs one service, a page re-shown with
its errors, and the mixin that asks a view's permission check."""

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from core.forms import form_add_service_errors


def form_action(request, *, form, action, done, reshow, then=None):
    """A POSTed form that runs one service.

    `action(form)` runs with the valid form. On success: the message `done` (or
    `done(result)`) and a redirect to `then`, or to what `action` returns. Otherwise
    `reshow(form)`, the page again with the form's errors, the service's among them.
    """
    if form.is_valid():
        try:
            result = action(form)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect(then if then is not None else result)
    return reshow(form)


def page_with_errors(view, request, pk, **forms):
    """An object's page re-shown after a failed POST (status 400): `view` renders it
    with the failed forms in place of its own empty ones."""
    request.method = "GET"
    response = view(request, pk, **forms)
    response.status_code = 400
    return response


class RolePermissionMixin(UserPassesTestMixin):
    """Answer 403 unless the view's `permission_check(user)` holds."""

    permission_check = None

    def test_func(self):
        return self.permission_check(self.request.user)
