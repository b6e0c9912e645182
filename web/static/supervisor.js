// Supervisor view: queues, agents and calls, live; listen / whisper / barge.
"use strict";
(() => {
  const {el, clear, api} = Relais;
  const queues = new Map(), agents = new Map(), calls = new Map();
  const CALL_STATES = {new: "Nouveau", queued: "En file", ringing: "Sonnerie", answered: "En communication",
                       transferring: "Transfert", leaving: "Décroché"};
  const pct = (x) => (x == null ? "—" : `${Math.round(x * 100)} %`);

  function render() {
    const qb = clear(document.querySelector("#queues tbody"));
    const bars = clear(document.getElementById("sl-bars"));
    for (const q of [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue))) {
      qb.append(el("tr", {"data-queue": q.queue}, el("td", {text: q.queue}), el("td", {text: String(q.waiting)}),
        el("td", {text: Relais.duration(q.longest_wait || 0)}), el("td", {text: String(q.offered)}),
        el("td", {text: String(q.answered)}), el("td", {text: `${q.abandoned} (${pct(q.abandon_rate)})`}),
        el("td", {text: pct(q.service_level)}), el("td", {text: q.asa == null ? "—" : `${Math.round(q.asa)} s`})));
      const fill = el("span", {class: "bar-fill"});
      fill.style.width = `${Math.round((q.service_level ?? 0) * 100)}%`;  // CSSOM: allowed by the CSP
      const bar = el("div", {class: "bar"}, fill, el("span", {class: "bar-label", text: q.queue}),
        el("span", {class: "bar-value", text: pct(q.service_level)}));
      bars.append(bar);
    }
    const ab = clear(document.querySelector("#agents tbody"));
    for (const a of [...agents.values()].sort((x, y) => (x.name || "").localeCompare(y.name || ""))) {
      let state = Relais.STATES[a.state] || a.state;
      if (a.state === "paused" && a.pause_reason) state += ` (${a.pause_reason})`;
      const spy = el("td", {});
      if (a.state === "in_call") for (const [mode, label] of [["listen", "Écouter"], ["whisper", "Souffler"], ["barge", "Intervenir"]])
        spy.append(el("button", {type: "button", class: "small", onclick: () => doSpy(a.interface, mode)}, label));
      ab.append(el("tr", {"data-agent": a.interface}, el("td", {text: a.name || a.interface}),
        el("td", {class: `st st-${a.state}`, text: state}),
        el("td", {class: "since", "data-since": String(a.state_since), text: Relais.duration(Date.now() / 1000 - a.state_since)}),
        el("td", {text: Object.keys(a.queues || {}).join(", ")}), spy));
    }
    const cb = clear(document.querySelector("#calls tbody"));
    for (const c of calls.values()) cb.append(el("tr", {}, el("td", {text: c.caller_name ? `${c.caller_name} (${c.caller_number || ""})` : (c.caller_number || "masqué")}),
      el("td", {text: c.queue || "—"}), el("td", {text: CALL_STATES[c.state] || c.state}), el("td", {text: c.agent_name || ""}),
      el("td", {text: Relais.duration(Date.now() / 1000 - (c.queued_at || c.first_offered_at || Date.now() / 1000))})));
  }
  async function doSpy(agent, mode) {
    try { await api("POST", "/api/telephony/spy", {agent, mode}); document.getElementById("spy-message").textContent = "Écoute lancée : décrochez votre téléphone."; }
    catch (e) { document.getElementById("spy-message").textContent = e.message; }
  }
  async function load() {
    const s = await api("GET", "/api/supervision/state");
    for (const q of s.queues) queues.set(q.queue, q);
    for (const a of s.agents) agents.set(a.interface, a);
    for (const c of s.calls) calls.set(c.call_id, c);
    render();
  }
  const socket = Relais.socket();
  socket.on("connect", load);
  socket.on("queue_stats", (q) => { queues.set(q.queue, q); render(); });
  socket.on("agent_state", (a) => { agents.set(a.interface, a); render(); });
  socket.on("call", (m) => { if (m.call.state === "ended") calls.delete(m.call.call_id); else calls.set(m.call.call_id, m.call); render(); });
  setInterval(() => { for (const td of document.querySelectorAll("td.since")) td.textContent = Relais.duration(Date.now() / 1000 - Number(td.dataset.since)); }, 1000);
})();
