import configparser
import os
import subprocess
import sys

from django.conf import settings


def test_every_apps_tests_are_collected_by_a_plain_pytest_run():
    """`make test` runs a bare `pytest`: an app not in testpaths is never tested."""
    config = configparser.ConfigParser()
    config.read(settings.BASE_DIR / "pytest.ini")
    testpaths = set(config["pytest"]["testpaths"].split())
    with_tests = {
        path.parent.parent.name
        for path in settings.BASE_DIR.glob("*/tests/__init__.py")
    }
    assert with_tests - testpaths == set()


def test_every_apps_tests_have_one_in_the_smoke_pass():
    """`.ci/run` runs the tests marked smoke against an external PostgreSQL server:
    at least one test of each app."""
    without_smoke = {
        path.parent.name
        for path in settings.BASE_DIR.glob("*/tests")
        if (path / "__init__.py").exists()
        and not any(
            "@pytest.mark.smoke" in test_file.read_text()
            for test_file in path.glob("test_*.py")
        )
    }
    assert without_smoke == set()


def test_the_two_server_run_is_left_out_of_the_suite_and_run_after_the_smoke_pass():
    """test_two_servers.py starts real servers: a bare `pytest` (`make test`) and
    the smoke pass leave it out; `make two-servers`, which `.ci/run` calls, runs it."""
    config = configparser.ConfigParser()
    config.read(settings.BASE_DIR / "pytest.ini")
    assert '-m "not two_servers"' in config["pytest"]["addopts"]
    module = settings.BASE_DIR / "servicepunkter" / "tests" / "test_two_servers.py"
    assert "pytestmark = pytest.mark.two_servers" in module.read_text()
    assert "mark.smoke" not in module.read_text()
    assert "make two-servers" in (settings.BASE_DIR / ".ci" / "run").read_text()


def test_loading_the_project_and_its_urls_does_not_import_scipy():
    """scipy is for the service analysis: a test session (or a server process) that
    never analyses does not pay for loading it."""
    probe = (
        "import sys, django; django.setup(); import servicepunkter.urls, conftest; "
        "print(sorted(m for m in sys.modules if m == 'scipy'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "servicepunkter.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
