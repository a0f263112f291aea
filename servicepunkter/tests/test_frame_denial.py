"""Only the embeds may be framed: every other page still refuses to be.

Every URL pattern (the authorization table has a row for each) is opened with GET by
an actor who may open it, where there is one (else anonymously: a login redirect or a
refusal must refuse framing too). Each answer must carry `X-Frame-Options: DENY` and a
Content Security Policy with `frame-ancestors 'none'`; the embed pages (namespace
`embed`) must carry neither and let any site frame them.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from servicepunkter.tests import test_authorization as table
from servicepunkter.tests.test_authorization import (
    ACTORS,
    ALL_ROWS,
    OBJECTS,
    OK,
    url_pattern_names,
)

# The authorization table's actors and objects, built once for this module too.
world = table.world


def frame_ancestors(response):
    policy = response.get("Content-Security-Policy", "")
    for directive in policy.split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors":
            return value
    return None


def opener(row):
    """The actor and object with which the row's page opens (200), if anyone's."""
    for actor in ACTORS:
        if row.per_object_get:
            for index, target in enumerate(OBJECTS):
                if row.per_object_get[actor][index] == OK:
                    return actor, target
        elif row.get.get(actor) == OK:
            return actor, None
    return "anonymous", "own" if row.kwargs else None


def is_embed(row):
    return row.name.startswith("embed:")


def test_every_url_pattern_is_checked():
    checked = {row.name for row in ALL_ROWS}
    unchecked = [
        name
        for name in url_pattern_names()
        if name not in checked and not name.startswith("admin:")
    ]
    assert unchecked == []
    assert {"embed:list", "embed:map", "embed:snippet"} <= checked


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("row", ALL_ROWS, ids=[row.name for row in ALL_ROWS])
def test_every_page_but_the_embeds_refuses_to_be_framed(client, world, row):
    actors, objects, sessions = world
    actor, target = opener(row)
    if actors[actor] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[actor]
    kwargs = row.kwargs(objects.get(target)) if row.kwargs else {}

    response = client.get(reverse(row.name, kwargs=kwargs))

    if is_embed(row):
        assert response.status_code == 200
        assert "X-Frame-Options" not in response
        assert frame_ancestors(response) == "*"
    else:
        assert response["X-Frame-Options"] == "DENY", response.status_code
        assert frame_ancestors(response) == "'none'", response.status_code


@pytest.mark.django_db
def test_a_missing_embed_is_a_page_that_refuses_to_be_framed(client):
    response = client.get("/embed/9999/")
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/service-points/?q=%00",  # refused by the request hygiene (400)
        "/embed/2401/?lang=%00",
        "/survey/1/",  # a POST too large for a visitor (413)
    ],
)
def test_a_refusal_before_any_view_refuses_to_be_framed_too(client, url, settings):
    settings.REQUEST_MAX_BYTES_ANONYMOUS = 100
    if url.startswith("/survey/"):
        response = client.generic(
            "POST", url, b"x" * 1000, content_type="application/octet-stream"
        )
    else:
        response = client.get(url)

    assert response.status_code in (400, 413)
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"
