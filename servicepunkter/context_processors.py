from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

# (label, URL name, roles that see it); the start page comes first for everyone.
NAVIGATION = [
    (_("Start"), "start", set(Role.values)),
    (
        _("Outlets"),
        "outlets:outlet_list",
        {Role.SYSTEM_OWNER, Role.ADMINISTRATOR, Role.OFFICIAL, Role.REGIONAL_VIEWER},
    ),
    (_("My outlets"), "outlets:outlet_list", {Role.SHOP_OWNER}),
    (_("Users"), "accounts:user_list", {Role.ADMINISTRATOR}),
    (_("System administration"), "admin:index", {Role.SYSTEM_OWNER}),
]


def navigation(request):
    """The main navigation for the user's role, with the current item marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    for label, url_name, roles in NAVIGATION:
        if user.role not in roles:
            continue
        url = reverse(url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "current": current})
    return {"navigation": items}
