// The agent screen: live state, screen pop, call controls and wrap-up with server-side drafts.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const {el, clear, api} = Relais;
  let agentState = null;
  let pop = null;           // the pop on screen (one per call: a second "pop" event updates it)
  let draftTimer = null;
  const CALL_STATES = {queued: "En file", ringing: "Sonnerie", answered: "En communication",
                       transferring: "Transfert", ended: "Terminé", leaving: "Décroché"};

  // ---- state bar ---------------------------------------------------------------------------
  function renderState() {
    if (!agentState) return;
    const label = $("state-label");
    let text = Relais.STATES[agentState.state] || agentState.state;
    if (agentState.state === "paused" && agentState.pause_reason) text += ` (${agentState.pause_reason})`;
    label.textContent = text;
    label.className = `state state-${agentState.state}`;
    $("pause-btn").hidden = !["available"].includes(agentState.state);
    $("pause-reason").hidden = $("pause-btn").hidden;
    $("resume-btn").hidden = agentState.state !== "paused";
  }
  setInterval(() => {
    if (agentState) $("state-timer").textContent = Relais.duration(Date.now() / 1000 - agentState.state_since);
    if (pop && pop.call) {
      const c = pop.call;
      const start = c.answered_at || c.first_offered_at || c.queued_at;
      const end = c.ended_at || Date.now() / 1000;
      if (start) $("call-timer").textContent = Relais.duration(end - start);
      if (c.ended_at) $("wrapup-timer").textContent = Relais.duration(Date.now() / 1000 - c.ended_at);
    }
  }, 1000);

  // ---- pop ---------------------------------------------------------------------------------
  function showPop(data) {
    const isNew = !pop || pop.call_id !== data.call_id;
    pop = data;
    $("pop-empty").hidden = true;
    $("pop-content").hidden = false;
    $("pop").dataset.callId = data.call_id;
    renderCall();
    const ident = data.identification;
    if (data.record) {
      $("identify").hidden = true;
      renderRecord(data.record);
    } else {
      $("record").hidden = true;
      $("identify").hidden = false;
      renderIdentify(ident);
    }
    if (isNew) resetWrapup(data.draft || null);
    else if (data.draft) fillWrapup(data.draft);
    renderOfferAnswers();
  }

  function renderCall() {
    const c = pop.call;
    $("call-state").textContent = CALL_STATES[c.state] || c.state;
    $("call-state").className = `badge call-${c.state}`;
    $("caller-number").textContent = c.caller_number || "Numéro masqué";
    $("caller-name").textContent = c.caller_name || "";
    $("call-queue").textContent = c.queue ? `file ${c.queue}` : (c.direction === "outbound" ? "appel sortant" : "");
    const live = c.state !== "ended";
    $("controls").hidden = !live || c.state !== "answered";
    $("wrapup").hidden = !(c.answered_at || c.state === "ended");
  }

  function renderIdentify(ident) {
    const title = {ambiguous: "Plusieurs clients partagent ce numéro : lequel appelle ?",
                   not_found: "Appelant inconnu : rechercher ou créer la fiche",
                   anonymous: "Appelant inconnu (numéro masqué) : rechercher ou créer la fiche",
                   internal: "Appel interne"}[ident.status] || ident.label;
    $("identify-title").textContent = title;
    const list = clear($("candidates"));
    for (const c of ident.candidates || []) list.append(candidateItem(c.customer_id, c.display_name,
      [c.via_contact ? `via ${c.via_contact}` : null, c.postcode, c.city].filter(Boolean).join(" · ")));
    $("create-phone").value = pop.call.caller_number || "";
  }

  function candidateItem(id, name, detail) {
    return el("li", {},
      el("button", {type: "button", class: "choose", "data-customer-id": String(id),
                    onclick: () => chooseCustomer(id, true)}, name),
      el("span", {class: "muted", text: ` ${detail || ""}`}));
  }

  async function chooseCustomer(id, linkNumber) {
    try {
      await api("POST", `/api/calls/${encodeURIComponent(pop.call_id)}/customer`,
                {customer_id: id, link_number: linkNumber && pop.identification.status !== "ambiguous"});
    } catch (e) { $("call-message").textContent = e.message; }
  }

  function renderRecord(r) {
    $("record").hidden = false;
    const c = r.customer;
    $("customer-name").textContent = c.display_name;
    const badges = clear($("badges"));
    badges.append(el("span", {class: "badge", text: c.kind === "company" ? "Entreprise" : "Particulier"}));
    for (const b of r.badges || []) badges.append(el("span", {class: `badge badge-${b.kind || ""}`, title: b.why || "", text: b.label}));
    if (c.lifecycle_stage) badges.append(el("span", {class: "badge", text: c.lifecycle_stage}));
    if (c.on_bloctel) badges.append(el("span", {class: "badge warn", text: "Bloctel"}));
    const alerts = clear($("alerts"));
    for (const a of r.alerts) alerts.append(el("p", {class: "alert", text: `⚠ ${a.message}`}));
    const facts = [];
    if (c.birth_date) facts.push(`né(e) le ${Relais.date(c.birth_date)}`);
    if (c.profession) facts.push(c.profession);
    if (c.family_status) facts.push(c.family_status);
    if (c.siret) facts.push(`SIRET ${c.siret}`);
    if (c.customer_since) facts.push(`client depuis le ${Relais.date(c.customer_since)}`);
    $("customer-facts").textContent = facts.join(" · ");
    const phones = clear($("phones"));
    for (const p of r.phones) phones.append(el("li", {}, `${p.kind} : ${p.display} `,
      el("button", {type: "button", class: "small", onclick: () => dial(p.e164 || p.raw, c.id)}, "Appeler")));
    $("email").textContent = c.email || "";
    const a = r.addresses[0];
    $("address").textContent = a ? [a.line1, a.line2, `${a.postcode || ""} ${a.city || ""}`].filter(Boolean).join(", ") : "";
    const consents = clear($("consents"));
    for (const k of r.consents) consents.append(el("li", {class: k.granted ? "ok" : "no",
      text: `${k.granted ? "✓" : "✗"} ${k.channel} / ${k.purpose} (${k.source}, ${Relais.date(k.recorded_at)})`}));
    const holdings = clear($("holdings"));
    for (const h of r.holdings) holdings.append(el("li", {text: `${h.product} — depuis ${Relais.date(h.since)}${h.status !== "actif" ? ` (${h.status})` : ""}`}));
    const offers = clear($("offers"));
    if (!(r.offers || []).length) offers.append(el("li", {class: "muted", text: "Aucune offre calculée pour ce client."}));
    for (const o of r.offers || []) offers.append(el("li", {},
      el("strong", {text: o.product}), el("span", {class: "muted", text: ` — ${o.reason}`}),
      el("p", {class: "pitch", text: o.argumentaire || ""})));
    const timeline = clear($("timeline"));
    for (const t of r.timeline.slice(0, 15)) timeline.append(el("li", {},
      el("span", {class: "muted", text: Relais.date(t.at) + " "}),
      el("strong", {text: t.type === "reclamation" ? `Réclamation : ${t.subject}` : `${t.channel.replace("_", " ")}`}),
      el("span", {text: t.type === "reclamation" ? ` (${t.status})` : ` — ${t.reason || ""} ${t.outcome ? "→ " + t.outcome : ""}`})));
    const body = clear($("orders").tBodies[0]);
    for (const o of r.recent_orders) body.append(el("tr", {},
      el("td", {text: Relais.date(o.ordered_at)}),
      el("td", {text: o.lines.map((l) => l.product).join(", ")}),
      el("td", {text: Relais.euros(o.total_amount)}), el("td", {text: o.channel})));
  }

  function clearPop(callId) {
    if (!pop || (callId && pop.call_id !== callId)) return;
    pop = null;
    $("pop-empty").hidden = false;
    $("pop-content").hidden = true;
    $("controls").hidden = true;
    $("wrapup").hidden = true;
    delete $("pop").dataset.callId;
  }

  // ---- wrap-up -----------------------------------------------------------------------------
  function wrapupData() {
    const f = $("wrapup-form");
    const offers = [...document.querySelectorAll("#offer-answers select")].map((s) => ({product: s.dataset.product, answer: s.value})).filter((o) => o.answer);
    return {disposition: f.disposition.value, reason: f.reason.value, notes: f.notes.value,
            callback_at: f.callback_at.value || null, satisfaction: f.satisfaction.value || null,
            offers, customer_id: pop && pop.customer_id};
  }
  function fillWrapup(d) {
    const f = $("wrapup-form");
    for (const k of ["disposition", "reason", "notes", "callback_at", "satisfaction"]) if (d[k] != null) f[k].value = d[k];
  }
  function resetWrapup(draft) {
    $("wrapup-form").reset();
    $("wrapup-message").textContent = "";
    $("draft-status").textContent = "";
    if (draft) { fillWrapup(draft); $("draft-status").textContent = "brouillon restauré"; }
  }
  function renderOfferAnswers() {
    const box = $("offer-answers");
    for (const n of [...box.querySelectorAll("label")]) n.remove();
    for (const o of (pop && pop.record && pop.record.offers) || []) {
      box.append(el("label", {}, o.product + " ",
        el("select", {"data-product": o.product_code || o.product},
          el("option", {value: "", text: "non présentée"}), el("option", {value: "presentee", text: "présentée"}),
          el("option", {value: "acceptee", text: "acceptée"}), el("option", {value: "refusee", text: "refusée"}))));
    }
  }
  $("wrapup-form").addEventListener("input", () => {
    if (!pop) return;
    clearTimeout(draftTimer);
    const callId = pop.call_id;
    draftTimer = setTimeout(async () => {
      try { await api("PUT", `/api/calls/${encodeURIComponent(callId)}/draft`, wrapupData());
            $("draft-status").textContent = "brouillon enregistré"; }
      catch (e) { $("draft-status").textContent = `brouillon non enregistré : ${e.message}`; }
    }, 400);
  });
  $("wrapup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!pop) return;
    const button = event.submitter; if (button) button.disabled = true;
    try {
      clearTimeout(draftTimer);
      await api("POST", `/api/calls/${encodeURIComponent(pop.call_id)}/wrapup`, wrapupData());
      $("wrapup-message").textContent = "Qualification enregistrée.";
      if (pop.call.state === "ended") clearPop(pop.call_id);
    } catch (e) { $("wrapup-message").textContent = e.message; }
    finally { if (button) button.disabled = false; }
  });

  // ---- actions -----------------------------------------------------------------------------
  async function dial(number, customerId) {
    try { await api("POST", "/api/telephony/originate", {number, customer_id: customerId});
          $("dial-message").textContent = "Appel en cours : décrochez votre téléphone."; }
    catch (e) { $("dial-message").textContent = e.message; }
  }
  $("dial-form").addEventListener("submit", (e) => { e.preventDefault(); dial($("dial-number").value); });
  $("hangup-btn").addEventListener("click", async () => {
    try { await api("POST", "/api/telephony/hangup", {call_id: pop.call_id}); }
    catch (e) { $("call-message").textContent = e.message; }
  });
  for (const kind of ["blind", "attended"]) $(`transfer-${kind}`).addEventListener("click", async () => {
    try { await api("POST", "/api/telephony/transfer", {call_id: pop.call_id, target: $("transfer-target").value, kind});
          $("call-message").textContent = kind === "blind" ? "Appel transféré." : "Transfert accompagné en cours."; }
    catch (e) { $("call-message").textContent = e.message; }
  });
  $("pause-btn").addEventListener("click", () => api("POST", "/api/telephony/pause", {reason: $("pause-reason").value}).catch((e) => alert(e.message)));
  $("resume-btn").addEventListener("click", () => api("POST", "/api/telephony/unpause", {}).catch((e) => alert(e.message)));
  $("search-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const list = clear($("search-results"));
    try {
      const rows = await api("GET", `/api/customers/search?q=${encodeURIComponent($("search-q").value)}`);
      if (!rows.length) list.append(el("li", {class: "muted", text: "Aucun client trouvé."}));
      for (const r of rows) list.append(candidateItem(r.id, r.display_name, [r.postcode, r.city].filter(Boolean).join(" ")));
    } catch (err) { list.append(el("li", {text: err.message})); }
  });
  $("create-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(e.target).entries());
    try { const created = await api("POST", "/api/customers", data); await chooseCustomer(created.id, false); }
    catch (err) { $("call-message").textContent = err.message; }
  });

  // ---- live --------------------------------------------------------------------------------
  const socket = Relais.socket();
  socket.on("agent_state", (s) => { agentState = s; renderState(); });
  socket.on("pop", (data) => showPop(data));
  socket.on("call", (msg) => {
    if (pop && pop.call_id === msg.call.call_id) { pop.call = msg.call; renderCall(); }
  });
  socket.on("offer_ended", (msg) => { if (pop && pop.call && !pop.call.answered_at) clearPop(msg.call_id); });
  socket.on("wrapup_done", (msg) => clearPop(msg.call_id));
  socket.on("connect_error", (err) => { $("state-label").textContent = `Hors ligne : ${err.message}`; });
  socket.on("disconnect", () => { $("state-label").textContent = "Reconnexion…"; });
})();
