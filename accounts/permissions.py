from django.contrib.auth.mixins import UserPassesTestMixin


def can_view_users(user) -> bool:
    """A municipality's administrators see the users of their municipality."""
    return user.is_authenticated and user.is_administrator


class RolePermissionMixin(UserPassesTestMixin):
    """Answer 403 unless the view's `permission_check(user)` holds."""

    permission_check = None

    def test_func(self):
        return self.permission_check(self.request.user)
