"""Browser-test helpers: accessibility checks with axe-core, CSP watch, screenshots."""

import json
from pathlib import Path

from django.conf import settings

from accounts.models import User
from accounts.tests.two_factor import app_code, app_of

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT_DIR = settings.BASE_DIR / "var" / "screenshots"
VERIFY_PATH = "/accounts/two-factor/verify/"


class Browser:
    """Drives a Playwright page on the live server, checking every page it opens."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.csp_violations = []
        page.set_default_timeout(10_000)
        page.on("console", self._watch_console)

    def _watch_console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def goto(self, path, *, expected_status=200):
        response = self.page.goto(self.base_url + path)
        assert response.status == expected_status, (path, response.status)
        self.check_page()
        return response

    def check_page(self):
        """No serious or critical WCAG 2.1 AA violation, no CSP violation."""
        self.page.wait_for_load_state()
        self.page.evaluate(AXE_SOURCE)
        results = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_21_AA,
        )
        serious = [
            {
                "id": violation["id"],
                "help": violation["help"],
                "nodes": [node["target"] for node in violation["nodes"]],
            }
            for violation in results["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert not serious, f"{self.page.url}: {json.dumps(serious, indent=2)}"
        assert not self.csp_violations, self.csp_violations
        # On a phone the page itself never scrolls sideways (WCAG 1.4.10 reflow):
        # a wide table scrolls inside its own box.
        viewport = self.page.viewport_size
        if viewport and viewport["width"] < 600:
            page_width = self.page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= viewport["width"], (self.page.url, page_width)

    def screenshot(self, name):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def sign_in(self, email, password, *, second_factor=True):
        """Sign in with the password and, where the user owes one, a code from
        their authenticator app (one set up for them first if their role needs one
        and they have none). `second_factor=False` stops after the password."""
        user = User.objects.filter(email__iexact=email).first()
        if second_factor and user is not None and user.requires_two_factor:
            app_of(user)
        self.goto("/accounts/login/")
        self.page.get_by_label("E-postadress").fill(email)
        self.page.get_by_label("Lösenord").fill(password)
        self.page.get_by_role("button", name="Logga in").click()
        self.page.wait_for_load_state()
        if second_factor and self.page.url.split("?")[0].endswith(VERIFY_PATH):
            self.page.get_by_label("Kod", exact=True).fill(app_code(app_of(user)))
            self.page.get_by_role("button", name="Fortsätt").click()
            self.page.wait_for_load_state()
