/**
 * The dashboard's only client script, as a string module (no bundler, no
 * CDN). Pages work without it; with it they stay current:
 *
 * - subscribes to the page's SSE stream (`<body data-stream>`); EventSource
 *   reconnects by itself and sends `Last-Event-ID`, so nothing is missed;
 * - on a transition, updates every badge of that run (`data-badge-for`) at
 *   once, then refreshes the regions marked `data-live` that it made stale:
 *   a region with `data-live-src` is fetched alone (as an HTML fragment) when
 *   a message it names in `data-live-on` arrives (`run`, `task`, `artifact`);
 *   the others are swapped from one fetch of the page. Stale regions are
 *   fetched together, at most every 250 ms, so a burst costs one round; a
 *   region holding the focus or a checked selection box is left as it is;
 * - on the events page, refreshes the list when the event stream announces
 *   a new event;
 * - appends live log lines to the log list when they pass its filters;
 * - shows times in the browser's time zone and submits filter selects on
 *   change;
 * - zooms (buttons, wheel), pans (drag) and fits the run graph.
 *
 * Text from stream messages is inserted with `textContent`, never as HTML;
 * the only HTML inserted is a region as this server rendered it.
 *
 * @module
 */

/** The script served at `/assets/live.js`. */
export const LIVE_SCRIPT = `(() => {
  "use strict";
  const fmt = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  function localize(root) {
    for (const el of root.querySelectorAll("time[datetime]")) {
      const d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d.getTime())) { el.title = el.getAttribute("datetime"); el.textContent = fmt.format(d); }
    }
  }
  localize(document);
  // Arrow keys on a closed select change its value one step at a time: a
  // keyboard user submits with Enter or by leaving the field, not per step.
  let keyed = null;
  const autosubmit = (el) =>
    el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form;
  document.addEventListener("keydown", (e) => {
    if (!autosubmit(e.target)) return;
    if (e.key === "Enter") { e.preventDefault(); keyed = null; e.target.form.requestSubmit(); }
    else if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") keyed = e.target;
  });
  document.addEventListener("change", (e) => {
    const el = e.target;
    if (!autosubmit(el)) return;
    if (keyed === el) { el.dataset.dirty = "1"; return; }
    el.form.requestSubmit();
  });
  document.addEventListener("focusout", (e) => {
    const el = e.target;
    if (keyed === el) keyed = null;
    if (autosubmit(el) && el.dataset.dirty) { delete el.dataset.dirty; el.form.requestSubmit(); }
  });

  // The run graph's view: zoom, pan and fit move the SVG's viewBox. The view
  // outlives live refreshes of the graph while the user has moved it.
  let graphView = null;
  function setupGraph() {
    const holder = document.querySelector("[data-graph-view]");
    const svg = holder && holder.querySelector('svg[data-chart="graph"]');
    const tools = document.querySelector("[data-graph-tools]");
    if (!svg || !tools || svg.dataset.zoomable) return;
    svg.dataset.zoomable = "true";
    tools.hidden = false;
    const full = svg.getAttribute("viewBox").split(" ").map(Number);
    const same = graphView && graphView.moved && graphView.full.join() === full.join();
    let box = same ? graphView.box.slice() : full.slice();
    const height = Math.min(full[3], Math.max(320, Math.round(innerHeight * 0.65)));
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.height = height + "px";
    holder.style.overflow = "hidden";
    function apply(moved) {
      svg.setAttribute("viewBox", box.map((n) => n.toFixed(1)).join(" "));
      graphView = { full, box, moved };
    }
    function point(x, y) {
      return new DOMPoint(x, y).matrixTransform(svg.getScreenCTM().inverse());
    }
    function zoom(factor, at) {
      const w = Math.min(full[2] * 3, Math.max(40, box[2] * factor));
      const f = w / box[2];
      box = [at.x - (at.x - box[0]) * f, at.y - (at.y - box[1]) * f, box[2] * f, box[3] * f];
      apply(true);
    }
    function center() {
      return { x: box[0] + box[2] / 2, y: box[1] + box[3] / 2 };
    }
    tools.onclick = (e) => {
      const button = e.target.closest("[data-zoom]");
      if (!button) return;
      const kind = button.getAttribute("data-zoom");
      if (kind === "fit") { box = full.slice(); apply(false); }
      else zoom(kind === "in" ? 0.7 : 1 / 0.7, center());
    };
    svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, point(e.clientX, e.clientY));
    }, { passive: false });
    let drag = null;
    svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { start: point(e.clientX, e.clientY), x: e.clientX, y: e.clientY, moved: false };
    });
    svg.addEventListener("pointermove", (e) => {
      if (!drag) return;
      if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 4) return;
      if (!drag.moved) { drag.moved = true; svg.setPointerCapture(e.pointerId); }
      const now = point(e.clientX, e.clientY);
      box = [box[0] + drag.start.x - now.x, box[1] + drag.start.y - now.y, box[2], box[3]];
      apply(true);
    });
    svg.addEventListener("pointerup", () => { setTimeout(() => { drag = null; }, 0); });
    // A drag that ends on a node is not a click on its link.
    svg.addEventListener("click", (e) => { if (drag && drag.moved) e.preventDefault(); }, true);
    apply(same);
  }
  setupGraph();
  document.addEventListener("ironflow:refreshed", setupGraph);

  const url = document.body.dataset.stream;
  if (!url || !("EventSource" in window)) return;
  const dot = document.querySelector("[data-live-dot]");
  const source = new EventSource(url);
  source.addEventListener("open", () => { if (dot) dot.classList.add("on"); });
  source.addEventListener("error", () => { if (dot) dot.classList.remove("on"); });

  function setBadges(runId, state, name) {
    const sel = '[data-badge-for="' + CSS.escape(runId) + '"]';
    for (const el of document.querySelectorAll(sel)) {
      el.className = el.className.replace(/\\bs-[A-Z]+\\b/, "s-" + state);
      el.dataset.state = state;
      el.title = state;
      el.textContent = name;
    }
  }

  // Regions with data-live-src are fetched alone when a message they name in
  // data-live-on arrives; the others come from one fetch of the whole page.
  // Stale regions are gathered and fetched together, at most every 250 ms.
  const stale = new Set();
  let timer = 0, busy = false, last = 0;
  function regionOf(key) {
    return document.querySelector('[data-live="' + CSS.escape(key) + '"]');
  }
  function markStale(kind) {
    for (const el of document.querySelectorAll("[data-live]")) {
      if (!el.hasAttribute("data-live-src")) { if (kind !== "artifact") stale.add(""); continue; }
      const on = (el.getAttribute("data-live-on") || "").split(" ");
      if (on.includes(kind)) stale.add(el.getAttribute("data-live"));
    }
    schedule();
  }
  function schedule() {
    if (timer || busy || stale.size === 0) return;
    timer = setTimeout(refresh, Math.max(30, last + 250 - Date.now()));
  }
  function swap(current, fresh) {
    if (!current || !fresh || current.contains(document.activeElement)) return;
    // A selection the user is making (bulk actions) outlives refreshes.
    if (current.querySelector("[data-hold]:checked")) return;
    const node = document.importNode(fresh, true);
    current.replaceWith(node);
    localize(node);
  }
  async function refreshRegion(key) {
    const current = regionOf(key);
    if (!current) return;
    const res = await fetch(current.getAttribute("data-live-src"));
    if (!res.ok || res.redirected) return;
    const template = document.createElement("template");
    template.innerHTML = await res.text();
    swap(regionOf(key), template.content.querySelector('[data-live="' + CSS.escape(key) + '"]'));
  }
  async function refreshPage() {
    const res = await fetch(location.href);
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const fresh of doc.querySelectorAll("[data-live]:not([data-live-src])")) {
      swap(regionOf(fresh.getAttribute("data-live")), fresh);
    }
  }
  async function refresh() {
    timer = 0;
    if (document.visibilityState === "hidden") return;
    const keys = [...stale];
    stale.clear();
    busy = true;
    last = Date.now();
    try {
      await Promise.all(keys.map((key) => (key === "" ? refreshPage() : refreshRegion(key))
        .catch(() => {})));
      document.dispatchEvent(new CustomEvent("ironflow:refreshed"));
    } finally {
      busy = false;
      schedule();
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") schedule();
  });

  source.addEventListener("transition", (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (_) { return; }
    setBadges(event.run_id, event.to, event.state_name);
    markStale(event.run_kind === "task" ? "task" : "run");
  });
  source.addEventListener("artifact", () => markStale("artifact"));
  // The events page follows the event feed: a new event refreshes its list.
  source.addEventListener("event", () => markStale("event"));

  const LEVELS = [[50, "CRITICAL"], [40, "ERROR"], [30, "WARNING"], [20, "INFO"], [10, "DEBUG"]];
  function levelName(level) {
    for (const [min, name] of LEVELS) if (level >= min) return name;
    return "DEBUG";
  }
  source.addEventListener("log", (message) => {
    const list = document.querySelector("[data-log-list]");
    if (!list || list.dataset.tail !== "true") return;
    let log;
    try { log = JSON.parse(message.data); } catch (_) { return; }
    if (log.level < Number(list.dataset.minLevel || 0)) return;
    if (list.dataset.task && log.task_run_id !== list.dataset.task) return;
    const q = (list.dataset.q || "").toLowerCase();
    if (q && !String(log.message).toLowerCase().includes(q)) return;
    if (log.id != null && list.querySelector('[data-log-id="' + CSS.escape(String(log.id)) + '"]')) return;
    const li = document.createElement("li");
    if (log.id != null) li.dataset.logId = String(log.id);
    const time = document.createElement("time");
    time.setAttribute("datetime", log.at);
    const level = document.createElement("span");
    const name = levelName(log.level);
    level.className = "lvl-" + name;
    level.textContent = name;
    const msg = document.createElement("span");
    msg.className = "msg";
    if (log.task_run_id) {
      const who = document.createElement("span");
      who.className = "muted";
      who.textContent = "task · ";
      msg.append(who);
    }
    msg.append(document.createTextNode(String(log.message)));
    li.append(time, level, msg);
    localize(li);
    list.append(li);
    const empty = list.parentElement && list.parentElement.querySelector(".empty");
    if (empty) empty.remove();
  });
})();
`;
