// Knowledge base panel: search, suggestions for the call, article reading (logged with the call).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const {el, clear, api} = Relais;
  let timer = null;
  let latest = 0;  // only the answer to the latest request is shown (suggestions arrive late)

  function highlighted(text) {  // \x01 … \x02 around matches, built as <mark> elements
    const node = el("span", {class: "extract"});
    text.split("\x01").forEach((part, i) => {
      if (i === 0) { node.append(part); return; }
      const [match, rest] = part.split("\x02");
      node.append(el("mark", {text: match}), rest || "");
    });
    return node;
  }
  function show(results, label) {
    $("kb-label").textContent = label;
    const list = clear($("kb-results"));
    if (!results.length) list.append(el("li", {class: "muted", text: "Aucun article."}));
    for (const r of results) list.append(el("li", {},
      el("button", {type: "button", class: "link", "data-slug": r.slug, onclick: () => open(r.slug)}, r.title),
      el("br"), highlighted(r.highlight || "")));
  }
  function markdown(body) {  // paragraphs, list items and **bold**, as DOM nodes
    const root = el("div");
    for (const block of body.split(/\n\s*\n/)) {
      const lines = block.split("\n");
      const isList = lines.every((l) => /^\s*([-*]|\d+\.)\s/.test(l));
      const container = isList ? el("ul") : root;
      for (const line of isList ? lines : [lines.join(" ")]) {
        const item = el(isList ? "li" : "p");
        line.replace(/^\s*([-*]|\d+\.)\s/, "").split("**").forEach((part, i) =>
          item.append(i % 2 ? el("strong", {text: part}) : part.replace(/\*/g, "")));
        container.append(item);
      }
      if (isList) root.append(container);
    }
    return root;
  }
  async function open(slug) {
    const callId = $("pop").dataset.callId;
    const a = await api("GET", `/api/kb/articles/${encodeURIComponent(slug)}` + (callId ? `?call_id=${encodeURIComponent(callId)}` : ""));
    $("kb-title").textContent = a.title;
    clear($("kb-body")).append(markdown(a.body));
    $("kb-article").hidden = false;
    $("kb-results").hidden = true;
  }
  $("kb-q").addEventListener("search", () => { if (!$("kb-q").value) suggest(); });
  $("kb-close").addEventListener("click", () => { $("kb-article").hidden = true; $("kb-results").hidden = false; });
  $("kb-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = $("kb-q").value.trim();
    if (!q) return suggest();
    const mine = ++latest;
    const results = await api("GET", `/api/kb/search?q=${encodeURIComponent(q)}`);
    if (mine === latest) show(results, `Résultats pour « ${q} »`);
    $("kb-article").hidden = true; $("kb-results").hidden = false;
  });
  async function suggest() {
    if ($("kb-q").value.trim()) return;  // the agent's own search stays on screen
    const notes = document.querySelector("#wrapup-form textarea[name=notes]").value;
    const step = ($("script-text") && $("script-text").textContent) || "";
    const params = new URLSearchParams({notes, step});
    const mine = ++latest;
    try {
      const results = await api("GET", `/api/kb/suggest?${params}`);
      if (mine === latest && !$("kb-q").value.trim()) show(results, "Suggestions pour cet appel");
    } catch (e) { /* no call yet */ }
  }
  // Suggestions follow the call (pop), the script step and what the agent types.
  new MutationObserver(() => { if ($("pop").dataset.callId) suggest(); }).observe($("pop"), {attributes: true, attributeFilter: ["data-call-id"]});
  document.querySelector("#wrapup-form textarea[name=notes]").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 600); });
  document.addEventListener("relais:script-step", () => suggest());
  window.RelaisKB = {suggest, open};
})();
