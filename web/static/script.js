// Call script panel: the step to read, the answer to give, objections and articles; the path
// and the answers are kept on the server with the call.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const {el, clear, api} = Relais;
  let callId = null;

  function render(view) {
    const panel = $("script-panel");
    const select = $("script-select");
    if (view.scripts) {  // the list comes with the script, not with each answer
      clear(select);
      for (const s of view.scripts) select.append(el("option", {value: s.id, text: s.title}));
    }
    select.value = view.script || "";
    panel.hidden = false;
    if (!view.script) {
      select.prepend(el("option", {value: "", text: "— choisir un script —", selected: "selected"}));
      $("script-text").textContent = "Aucun script pour cette file : choisissez-en un.";
      clear($("script-controls"));
      return;
    }
    // step texts come rendered by the server's sandboxed, autoescaping templates
    $("script-text").innerHTML = view.text_html || view.question_html || "";
    $("script-progress").textContent = `étape ${view.path.length}` + (view.finished ? " — terminé" : "");
    const box = clear($("script-controls"));
    const send = (value) => answer(value);
    if (view.finished) box.append(el("p", {class: "muted", text: `Issue : ${view.outcome}`}));
    else if (view.type === "ask" && view.choices.length) {
      box.append(el("div", {class: "choices"}, ...view.choices.map((c) =>
        el("button", {type: "button", "data-value": c, onclick: () => send(c)}, c))));
    } else if (view.type === "ask") {
      const input = el("input", {type: view.answer === "date" ? "date" : view.answer === "number" ? "number" : "text", id: "script-input"});
      box.append(el("form", {class: "inline", onsubmit: (e) => { e.preventDefault(); send(input.value); }}, input, el("button", {type: "submit"}, "Valider")));
    } else if (view.type === "offer") {
      box.append(el("div", {class: "choices"}, el("button", {type: "button", onclick: () => send("oui")}, "Le client accepte"),
        el("button", {type: "button", onclick: () => send("non")}, "Le client refuse")));
    } else if (view.type === "objection") {
      for (const o of view.objections) {
        const reply = el("p");
        reply.innerHTML = o.answer_html;  // escaped by the server's templates
        box.append(el("div", {class: "objection"}, el("strong", {text: o.label}), reply,
          o.article ? el("button", {type: "button", class: "small", onclick: () => window.RelaisKB.open(o.article)}, "Voir la fiche") : null));
      }
      box.append(el("button", {type: "button", onclick: () => send(null)}, "Continuer"));
    } else if (view.type === "kb") {
      box.append(el("button", {type: "button", onclick: () => window.RelaisKB.open(view.article)}, "Ouvrir l'article"),
                 " ", el("button", {type: "button", onclick: () => send(null)}, "Continuer"));
    } else {
      box.append(el("button", {type: "button", onclick: () => send(null)}, view.type === "close" ? "Terminer" : "Suivant"));
    }
    document.dispatchEvent(new Event("relais:script-step"));
  }
  async function load(params = "") {
    if (!callId) return;
    try { render(await api("GET", `/api/calls/${encodeURIComponent(callId)}/script${params}`)); }
    catch (e) { $("script-message").textContent = e.message; }
  }
  async function answer(value) {
    try { render(await api("POST", `/api/calls/${encodeURIComponent(callId)}/script`, {value})); $("script-message").textContent = ""; }
    catch (e) { $("script-message").textContent = e.message; }
  }
  $("script-select").addEventListener("change", (e) => load(`?script=${encodeURIComponent(e.target.value)}`));
  document.querySelector("#wrapup-form select[name=reason]").addEventListener("change", (e) => {
    if (e.target.value) load(`?reason=${encodeURIComponent(e.target.value)}`);
  });
  new MutationObserver(() => {
    const id = $("pop").dataset.callId || null;
    if (id !== callId) { callId = id; if (id) load(); else $("script-panel").hidden = true; }
  }).observe($("pop"), {attributes: true, attributeFilter: ["data-call-id"]});
})();
