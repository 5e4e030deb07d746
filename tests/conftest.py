"""Shared fixtures: staff personas, a real Celery worker, a real browser with axe-core."""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import requires_two_factor
from accounts.models import Membership, Organisation, Role, User

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, request):
    """Fast hashing, and tasks in-process unless a test asks for a worker."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from config.celery import app

    eager = request.node.get_closest_marker("integration") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous
    # A request under /ms/ leaves Malay active in this thread; the next test starts afresh.
    translation.deactivate()
    # What the API reused belongs to this test's rows (SQLite gives their ids out again).
    from feedback import queries

    queries._RECENT.clear()


# Personas: a member of each role in one organisation, and an outsider from another.


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(
        name="Ministry of Water",
        slug="ministry-of-water",
        kind=Organisation.Kind.PUBLIC_INSTITUTION,
    )


@pytest.fixture
def other_organisation(db) -> Organisation:
    return Organisation.objects.create(
        name="Ministry of Roads",
        slug="ministry-of-roads",
        kind=Organisation.Kind.PUBLIC_INSTITUTION,
    )


def make_member(organisation: Organisation, role: str, email: str | None = None) -> User:
    user = User.objects.create_user(email or f"{role}@{organisation.slug}.example", PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def owner(organisation) -> User:
    return make_member(organisation, Role.OWNER)


@pytest.fixture
def editor(organisation) -> User:
    return make_member(organisation, Role.EDITOR)


@pytest.fixture
def analyst(organisation) -> User:
    return make_member(organisation, Role.ANALYST)


@pytest.fixture
def facilitator(organisation) -> User:
    return make_member(organisation, Role.FACILITATOR)


@pytest.fixture
def outsider(other_organisation) -> User:
    """An editor of another organisation."""
    return make_member(other_organisation, Role.EDITOR)


def verified_device(user: User) -> TOTPDevice:
    """A confirmed authenticator device, as an owner who finished two-factor set-up has."""
    return TOTPDevice.objects.get_or_create(user=user, name="test phone", confirmed=True)[0]


@pytest.fixture
def client_for():
    """A test client signed in as the user, with the second factor given where required."""

    def login(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            if requires_two_factor(user):
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
                session.save()
        return client

    return login


def sign_in(page, user: User, lang: str = "en") -> None:
    """Sign in through the real pages, typing a current code when a second factor is asked."""
    device = verified_device(user) if requires_two_factor(user) else None
    page.goto(f"/{lang}/staff/sign-in/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    if device is not None:
        device.refresh_from_db()
        token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.locator("#id_token").fill(f"{token:06d}")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()


# A real Celery worker on the real Redis broker.


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from config.celery import app

    if not settings.REDIS_URL:
        pytest.fail("Integration tests need REDIS_URL (run them through `make test`).")
    from celery.contrib.testing.tasks import ping

    # Tasks bound by earlier eager tests keep `ignore_result=True`; the ping check of
    # start_worker and the tests read results, so turn it off on every task.
    app.loader.import_default_modules()
    for task in [*app.tasks.values(), ping]:
        task.ignore_result = False

    app.conf.task_always_eager = False
    app.conf.task_ignore_result = False
    app.control.purge()
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=True) as worker,
    ):
        yield worker


# A real browser: Debian's Chromium, driven by Playwright.


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; install Debian's `chromium` package."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(f"SKIPPING BROWSER TESTS: {message}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


VNU_JAR = Path(__file__).parent.parent / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


@pytest.fixture(scope="session")
def html_validator():
    """The Nu HTML Checker as a local HTTP service, started once per test session."""
    if not VNU_JAR.exists():
        message = f"Nu HTML Checker not found at {VNU_JAR}; run `make test` to install it."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(f"SKIPPING BROWSER TESTS: {message}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            "java",
            "-Xss4m",
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "-cp",
            str(VNU_JAR),
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/?out=json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the Nu HTML Checker did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


def assert_valid_html(validator_url: str, html: str, where: str) -> None:
    request = urllib.request.Request(
        validator_url, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result = json.load(response)
    problems = [
        f"{m.get('lastLine', '?')}: {m['message']}"
        for m in result["messages"]
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == [], f"invalid HTML on {where}:\n" + "\n".join(problems)


@pytest.fixture
def page(chromium, live_server, settings, html_validator):
    # The live server serves static files through the finders, which know no hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.html_validator = html_validator
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: (
            page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    yield page
    context.close()


AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def assert_accessible(page, name: str | None = None) -> None:
    """Run axe-core on the page; fail with a readable report on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    if name:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert violations == [], f"axe-core violations on {page.url}:\n" + "\n".join(violations)
    assert page.csp_violations == [], f"CSP violations on {page.url}: {page.csp_violations}"
    validator = getattr(page, "html_validator", None)
    if validator:
        assert_valid_html(validator, page.content(), page.url)
