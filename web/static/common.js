// Shared helpers. Every value from the server is put in the page with textContent: a caller
// name such as "<script>" is shown as text, never interpreted.
"use strict";
const Relais = {
  csrf: document.querySelector('meta[name="csrf-token"]').content,
  async api(method, url, data) {
    const options = {method, headers: {"X-CSRFToken": Relais.csrf}, credentials: "same-origin"};
    if (data !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    const response = await fetch(url, options);
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = {}; }
    if (!response.ok) throw new Error(payload.error || `erreur ${response.status}`);
    return payload;
  },
  el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child !== null && child !== undefined)
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  },
  clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; },
  duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return `${m}:${String(s).padStart(2, "0")}`;
  },
  date(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleDateString("fr-FR");
  },
  euros(x) { return (x ?? 0).toLocaleString("fr-FR", {style: "currency", currency: "EUR"}); },
  STATES: {available: "Disponible", paused: "En pause", ringing: "Sonnerie",
           in_call: "En communication", wrapup: "Post-appel", logged_out: "Hors file"},
  socket() { return io({transports: ["websocket"]}); },
};
