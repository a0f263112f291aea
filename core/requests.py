"""What a request tells about its client, read the same way everywhere."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """AXES_CLIENT_IP_CALLABLE, and the client of the throttles: the address the
    outermost of our TRUSTED_PROXY_COUNT reverse proxies saw.

    Each proxy appends the address it was called from to X-Forwarded-For, so the
    client is that many entries from the right; entries further left are whatever the
    client sent. (axes would ask django-ipware, which is not installed: without this
    every client behind a proxy would be the proxy.)
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= proxies and is_ip_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def site_origin(request) -> str:
    """The site's address, without a trailing slash: SITE_URL where set, so that the
    links others keep (an embed's code, a QR code, a data catalogue's identifiers)
    are the same whichever host name a visitor used; else the request's own."""
    return (settings.SITE_URL or request.build_absolute_uri("/")).rstrip("/")
