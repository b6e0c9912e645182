from __future__ import annotations

import os

import pytest

from config import PROJECT_ROOT
from tests.web.stack import PASSWORD, Stack

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
BROWSER_REDIS = os.environ.get("RELAIS_TEST_BROWSER_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("stack"), BROWSER_REDIS).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def context(browser, request):
    ctx = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 900})
    ctx.set_default_timeout(20000)
    yield ctx
    ARTIFACTS.mkdir(exist_ok=True)
    for i, page in enumerate(ctx.pages):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"), full_page=True)
    ctx.close()


def login(page, stack, username: str):
    page.goto(stack.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/agent/**" if username.startswith("agent") else "**/supervision/**")
    return page


def agent_ready(page):
    """Logged in to the queues and available (a previous test may have left a wrap-up)."""
    from playwright.sync_api import expect
    label = page.locator("#state-label")
    expect(label).not_to_have_text("Connexion…")
    if label.inner_text() != "Disponible":
        token = page.get_attribute("meta[name=csrf-token]", "content")
        page.request.post(page.url.split("/agent")[0] + "/api/telephony/unpause",
                          headers={"X-CSRFToken": token}, data={})
    expect(label).to_have_text("Disponible")
