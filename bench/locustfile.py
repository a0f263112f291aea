"""The national load test's virtual users (run by bench/national_load.py).

Each request is named by its page kind, so locust's figures are per kind. The
sessions and record ids come from the JSON file in NATIONAL_LOAD_FIXTURES; the
virtual users carry a session cookie written there (no sign-in form). A request
that does not answer 200 (a page) or 302 (a saved form) counts as an error:
redirects are not followed, so a session refused shows as an error too.
"""

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie
from urllib.parse import urlsplit

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["NATIONAL_LOAD_FIXTURES"]) as file:
    FIXTURES = json.load(file)

# Seconds a virtual user waits between pages (bench/national_load.py --think).
THINK = [float(s) for s in os.environ.get("NATIONAL_LOAD_THINK", "3,8").split(",")]
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
DESKTOP = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_next = {kind: itertools.count() for kind in ("officials", "owners", "admins")}


def take(kind, pool):
    """Each virtual user of a kind its own session, in turn."""
    return pool[next(_next[kind]) % len(pool)]


class Visitor(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)
    user_agent = DESKTOP
    session_key = None

    def on_start(self):
        host = urlsplit(self.host).hostname
        if self.session_key:
            jar = self.client.cookiejar
            jar.set_cookie(cookie("sessionid", self.session_key, host))
        self.headers = {"User-Agent": self.user_agent, "Referer": self.host + "/"}

    def page(self, path, kind):
        with self.client.get(
            path,
            name=kind,
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {path}")
            return response


def cookie(name, value, host):
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=True,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


class Official(Visitor):
    """An official of one municipality browsing lists and detail pages."""

    weight = 10

    def on_start(self):
        mine = take("officials", FIXTURES["officials"])
        self.session_key = mine["session"]
        self.mine = mine
        super().on_start()

    @task(4)
    def lists(self):
        path = random.choice(
            [
                "/outlets/",
                f"/outlets/?municipality=all&page={random.randint(1, 200)}",
                "/agreements/",
                "/agreements/payouts/",
                "/followup/",
            ]
        )
        self.page(path, "staff list")

    @task(6)
    def details(self):
        kind = random.choice(["outlets", "agreements", "followups"])
        record = random.choice(self.mine[kind])
        path = {
            "outlets": f"/outlets/{record}/",
            "agreements": f"/agreements/{record}/",
            "followups": f"/followup/{record}/",
        }[kind]
        self.page(path, "staff detail")


class Owner(Visitor):
    """A shop owner on a phone: opens the yearly report and saves a draft."""

    weight = 3
    user_agent = PHONE

    def on_start(self):
        mine = take("owners", FIXTURES["owners"])
        self.session_key = mine["session"]
        self.report = f"/followup/{mine['followup']}/report/"
        super().on_start()

    @task
    def save_report(self):
        form = self.page(self.report, "owner form")
        found = CSRF_FIELD.search(form.text or "")
        if not found:
            return
        data = {
            "csrfmiddlewaretoken": found[1],
            "worked_well": "Paketen och datorn används varje dag.",
            "problems": "",
            "visitors_per_week": f"ca {random.randint(20, 90)}",
            "visitors_counting": "estimated",
            "parcels_handled": str(random.randint(100, 900)),
            "home_deliveries": str(random.randint(0, 60)),
        }
        with self.client.post(
            self.report,
            data=data,
            name="owner save",
            headers={
                **self.headers,
                "Origin": self.host,
                "Referer": self.host + self.report,
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} on POST {self.report}")


class Administrator(Visitor):
    """A municipality's administrator (two factors) opening the analysis page."""

    weight = 1

    def on_start(self):
        self.session_key = take("admins", FIXTURES["administrators"])
        super().on_start()

    @task
    def analysis(self):
        self.page("/analysis/", "analysis")


class Public(Visitor):
    """Anyone: the service points, a municipality's, one, the open data."""

    weight = 4

    @task
    def public(self):
        path = random.choice(
            [
                "/service-points/",
                f"/service-points/municipality/{random.choice(FIXTURES['municipalities'])}/",
                f"/service-points/{random.choice(FIXTURES['service_points'])}/",
                "/open-data/",
            ]
        )
        self.page(path, "public")


class Floor(Visitor):
    """A reference, not a goal: an official on the lightest signed-in page (their
    profile: the site's layout, the sign-in checks and little else). Its p95 under
    the same load is the floor that any staff page stands on."""

    weight = 2

    def on_start(self):
        self.session_key = take("officials", FIXTURES["officials"])["session"]
        super().on_start()

    @task
    def profile(self):
        self.page("/accounts/profile/", "floor")


class SystemOwner(Visitor):
    """The baseline: the Django admin's outlet change list, on the same data.
    Weighted so that a 60-s run has some 80 of its requests: with one user in
    twenty it had 30 to 40, and its p95, the ratio's denominator, was its second
    or third slowest request, 100 to 230 ms from run to run on the same code."""

    weight = 4
    session_key = FIXTURES["system_owner"]

    @task
    def change_list(self):
        path = random.choice(
            [
                "/admin/outlets/outlet/",
                f"/admin/outlets/outlet/?p={random.randint(1, 99)}",
            ]
        )
        self.page(path, "admin change list")
