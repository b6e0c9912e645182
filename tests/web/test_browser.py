"""The agent console in a real browser (Debian chromium driven by Playwright), against the
demo PBX, the bridge and the web server running as their own processes."""
from __future__ import annotations

import time

from sqlalchemy import select

from console.models import Customer, CustomerScore, Interaction, Phone
from tests.web.conftest import agent_ready, login


def interactions(stack, call_number_e164):
    with stack.sessions() as s:
        return s.scalars(select(Interaction).where(
            Interaction.caller_number == call_number_e164)).all()


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def finish_call(page, disposition: str) -> None:
    """Wait for the end of the call, qualify it and save the wrap-up."""
    page.wait_for_selector("#call-state:has-text('Terminé')")
    page.select_option("select[name=disposition]", disposition)
    page.click("#wrapup-form button[type=submit]")
    page.wait_for_selector("#pop-empty", state="visible")


def test_known_customer_pops_before_answer_and_wrapup_is_logged(stack, context):
    page = login(context.new_page(), stack, "agent1")
    agent_ready(page)
    stack.call("0612345678", "Jean Dupont", ring=3, talk=2)
    # the record is on screen while the phone still rings
    page.wait_for_selector("#customer-name:has-text('M. Jean Dupont')")
    assert page.inner_text("#call-state") == "Sonnerie"
    assert page.inner_text("#state-label") == "Sonnerie"
    assert "06 12 34 56 78" in page.inner_text("#phones")
    with stack.sessions() as s:
        segment = s.get(CustomerScore, 1).rfm_segment
    badge = page.locator("#badges .badge-segment")
    assert badge.inner_text() == segment                        # the segment, with its reason
    assert "achat" in badge.get_attribute("title")
    assert page.locator("#offers li").count() >= 1
    page.wait_for_selector("#call-state:has-text('En communication')")
    page.wait_for_selector("#call-state:has-text('Terminé')")
    page.wait_for_selector("#state-label:has-text('Post-appel')")
    page.select_option("select[name=disposition]", "resolu")
    page.select_option("select[name=reason]", "Opposition carte")
    page.fill("textarea[name=notes]", "Carte mise en opposition, nouvelle carte envoyée.")
    page.select_option("select[name=satisfaction]", "5")
    page.click("#wrapup-form button[type=submit]")
    page.wait_for_selector("#pop-empty", state="visible")
    page.wait_for_selector("#state-label:has-text('Disponible')")
    [row] = wait_for(lambda: [r for r in interactions(stack, "+33612345678")
                              if (r.details or {}).get("wrapup")])
    assert row.customer_id == 1
    assert row.channel == "appel_entrant" and row.queue == "support"
    assert row.outcome == "resolu" and row.reason == "Opposition carte"
    assert row.notes.startswith("Carte mise en opposition")
    assert row.agent == "Agent Un"
    assert 2 <= row.wait_seconds <= 4          # rang 3 s before the agent answered
    assert 1 <= row.talk_seconds <= 3          # talked 2 s
    assert row.wrapup_seconds is not None and row.wrapup_seconds >= 0
    assert row.details["wrapup"]["satisfaction"] == "5"


def test_unknown_caller_then_create_the_customer(stack, context):
    page = login(context.new_page(), stack, "agent1")
    agent_ready(page)
    stack.call("0781234567", "", ring=1, talk=30)
    page.wait_for_selector("#identify-title:has-text('Appelant inconnu')")
    page.click("#create-details summary")
    assert page.input_value("#create-phone") == "0781234567"
    page.select_option("#create-form select[name=civility]", "Mme")
    page.fill("#create-form input[name=first_name]", "Léa")
    page.fill("#create-form input[name=last_name]", "Nouvelle")
    page.fill("#create-form input[name=postcode]", "69003")
    page.fill("#create-form input[name=city]", "Lyon")
    page.click("#create-form button[type=submit]")
    page.wait_for_selector("#customer-name:has-text('Mme Léa Nouvelle')")
    with stack.sessions() as s:
        customer = s.scalar(select(Customer).where(Customer.last_name == "Nouvelle"))
        assert [p.e164 for p in s.scalars(select(Phone).where(
            Phone.customer_id == customer.id))] == ["+33781234567"]
    page.click("#hangup-btn")
    finish_call(page, "resolu")
    [row] = wait_for(lambda: [r for r in interactions(stack, "+33781234567")
                              if (r.details or {}).get("wrapup")])
    assert row.customer_id == customer.id
    assert row.details["cti"]["ended_by"] == "agent"


def test_two_tabs_one_pop_each_one_interaction(stack, context):
    first = login(context.new_page(), stack, "agent1")
    agent_ready(first)
    second = context.new_page()
    second.goto(stack.url + "/agent/")
    stack.call("0145678901", "Marie Curie", ring=1, talk=1)
    for page in (first, second):
        page.wait_for_selector("#customer-name:has-text('Mme Marie Curie')")
        page.wait_for_selector("#call-state:has-text('Terminé')")
    # the pop is shown once per tab, not stacked
    assert first.locator("#customer-name").count() == 1
    call_id = first.get_attribute("#pop", "data-call-id")
    assert second.get_attribute("#pop", "data-call-id") == call_id
    first.select_option("select[name=disposition]", "transmis")
    first.click("#wrapup-form button[type=submit]")
    first.wait_for_selector("#pop-empty", state="visible")
    second.wait_for_selector("#pop-empty", state="visible")  # the other tab follows
    # the same wrap-up submitted again (a double click, a stale tab): refused, nothing added
    token = second.get_attribute("meta[name=csrf-token]", "content")
    again = second.request.post(f"{stack.url}/api/calls/{call_id}/wrapup",
                                headers={"X-CSRFToken": token},
                                data={"disposition": "vente"})
    assert again.status == 403
    rows = interactions(stack, "+33145678901")
    assert len(rows) == 1
    assert rows[0].outcome == "transmis"


def test_reload_mid_call_restores_the_call_and_the_draft(stack, context):
    page = login(context.new_page(), stack, "agent1")
    agent_ready(page)
    stack.call("0612345678", "Jean Dupont", ring=1, talk=30)
    page.wait_for_selector("#call-state:has-text('En communication')")
    page.fill("textarea[name=notes]", "Le client demande un devis habitation")
    page.wait_for_selector("#draft-status:has-text('brouillon enregistré')")
    call_id = page.get_attribute("#pop", "data-call-id")
    page.reload()
    page.wait_for_selector("#customer-name:has-text('M. Jean Dupont')")
    assert page.get_attribute("#pop", "data-call-id") == call_id
    assert page.inner_text("#call-state") == "En communication"
    assert page.input_value("textarea[name=notes]") == "Le client demande un devis habitation"
    page.click("#hangup-btn")
    finish_call(page, "rappel")


def test_caller_name_with_html_is_shown_as_text(stack, context):
    page = login(context.new_page(), stack, "agent1")
    agent_ready(page)
    evil = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>"
    stack.call("0781112233", evil, ring=1, talk=1)
    page.wait_for_selector("#caller-name:has-text('<img')")
    assert page.inner_text("#caller-name") == evil
    assert page.evaluate("window.pwned") is None
    assert page.locator("#pop img").count() == 0
    finish_call(page, "faux_numero")


def test_agent_cannot_open_supervision_and_supervisor_sees_agents(stack, context):
    page = login(context.new_page(), stack, "agent1")
    response = page.goto(stack.url + "/supervision/")
    assert response.status == 403
    chef = context.browser.new_context(locale="fr-FR")
    try:
        sup = login(chef.new_page(), stack, "chef")
        sup.wait_for_selector("#agents tr[data-agent='PJSIP/1010']")
        assert "Agent Un" in sup.inner_text("#agents")
    finally:
        chef.close()


def test_script_and_knowledge_base_during_a_call(stack, context):
    page = login(context.new_page(), stack, "agent1")
    agent_ready(page)
    stack.call("0612345678", "Jean Dupont", ring=1, talk=60)
    page.wait_for_selector("#script-text:has-text('Bonjour M. Dupont')")
    assert page.locator("#script-select option:checked").inner_text().startswith("Accueil")
    page.click("#script-controls button:has-text('Suivant')")
    page.click("#script-controls button[data-value='oui']")
    page.click("#script-controls button[data-value='information']")
    page.wait_for_selector("#script-text:has-text('répondre tout de suite')")
    assert page.locator("#script-select option").count() >= 6  # the choice stays available
    page.fill("#kb-q", "on m'a volé ma carte bleue")
    page.click("#kb-form button[type=submit]")
    page.click("#kb-results button[data-slug='procedure-opposition-carte']")
    page.wait_for_selector("#kb-title:has-text('Faire opposition')")
    assert page.locator("#kb-body strong").count() >= 1  # **bold** rendered as elements
    call_id = page.get_attribute("#pop", "data-call-id")
    page.click("#hangup-btn")
    finish_call(page, "resolu")
    row = wait_for(lambda: next((r for r in interactions(stack, "+33612345678")
                                 if r.call_id == call_id and (r.details or {}).get("wrapup")),
                                None))
    wrap = row.details["wrapup"]
    assert "procedure-opposition-carte" in wrap["articles"]
    assert wrap["script"]["script"] == "accueil-entrant"
    assert wrap["script"]["path"][:4] == ["accueil", "identite", "nature", "reponse_immediate"]
    assert wrap["script"]["answers"]["nature"] == "information"
