// Backstop status page. Plain JavaScript, shipped in the jar: the release list and one page per
// release, kept live by the daemon's server-sent events (/api/v1/events).
"use strict";

const TOKEN_KEY = "backstop.token";
// An operator serves this page read-only (names are namespace/name); the server marks the body.
const READ_ONLY = document.body.dataset.mode === "read-only";
const releases = new Map();
let ready = false;

// ---- small DOM helpers ----------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// ---- formatting -----------------------------------------------------------------------------

const PHASE_CLASS = {
  Healthy: "ok", Deploying: "warn", Verifying: "warn", BackingUp: "warn", RollingBack: "warn",
  Restoring: "warn", Degraded: "bad", Failed: "bad", RolledBack: "back", PartiallyRolledBack: "back", Pending: "", Suspended: "",
};

function phasePill(phase) {
  return el("span", { class: "pill " + (PHASE_CLASS[phase] ?? ""), "data-phase": phase || "" }, phase || "Unknown");
}

function condition(status, type) {
  return (status?.conditions || []).find((c) => c.type === type);
}

function readyPill(status) {
  const c = condition(status, "Ready");
  if (!c) return el("span", { class: "pill" }, "–");
  const cls = c.status === "True" ? "ok" : c.status === "False" ? "bad" : "warn";
  return el("span", { class: "pill " + cls, title: c.message || "" }, c.status);
}

function rev(r) {
  if (!r) return el("span", { class: "rev" }, "–");
  const sha = r.shortCommit || (r.commit ? r.commit.slice(0, 7) : "?");
  return el("span", { class: "rev", title: r.commit || "" }, r.ref || "?", el("span", { class: "sha" }, "@" + sha));
}

function revText(r) {
  if (!r) return "–";
  return (r.ref || "?") + "@" + (r.shortCommit || (r.commit ? r.commit.slice(0, 7) : "?"));
}

function age(since) {
  if (!since) return "–";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(since)) / 1000));
  if (s < 120) return s + "s";
  if (s < 7200) return Math.floor(s / 60) + "m";
  if (s < 172800) return Math.floor(s / 3600) + "h";
  return Math.floor(s / 86400) + "d";
}

function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

function seconds(a, b) {
  if (!a || !b) return null;
  return (Date.parse(b) - Date.parse(a)) / 1000;
}

function duration(s) {
  if (s === null || s === undefined) return "–";
  if (s < 60) return s.toFixed(1) + " s";
  return Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
}

function bytes(n) {
  if (n === undefined || n === null) return "–";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

// ---- views ----------------------------------------------------------------------------------

function render() {
  const app = document.getElementById("app");
  const path = location.pathname;
  const m = path.match(/^\/releases\/((?:[a-z0-9-]+\/)?[a-z0-9.-]+)\/?$/);
  const view = m ? releaseView(m[1]) : listView();
  app.replaceChildren(view);
  document.title = m ? m[1] + " · Backstop" : "Releases · Backstop";
}

function listView() {
  const rows = [...releases.values()].sort((a, b) => a.name.localeCompare(b.name));
  const body = rows.map((r) => {
    const s = r.status || {};
    const c = condition(s, "Ready");
    return el("tr", { "data-release": r.name },
      el("td", { class: "name", "data-label": "Name" }, el("a", { href: "/releases/" + r.name, "data-link": true }, r.name)),
      el("td", { "data-label": "Phase" }, phasePill(s.phase)),
      el("td", { "data-label": "Desired" }, rev(s.desired)),
      el("td", { "data-label": "Current" }, rev(s.current)),
      el("td", { "data-label": "Last known good" }, rev(s.lastKnownGood)),
      el("td", { "data-label": "Ready" }, readyPill(s), c?.reason ? el("span", { class: "reason" }, c.reason) : null),
      el("td", { "data-label": "Age", title: "since Ready last changed" }, age(c?.lastTransitionTime)));
  });
  return el("div", {},
    el("h1", {}, "Releases"),
    el("p", { class: "subtitle" }, "What this daemon keeps on its git refs, live."),
    el("section", { class: "panel" },
      rows.length === 0
        ? el("p", { class: "empty" }, !ready ? "Loading…" : READ_ONLY
            ? "No releases in the namespaces this operator watches." : "No releases yet: put a StagingRelease manifest in the manifests directory.")
        : el("table", { class: "releases stack" },
            el("thead", {}, el("tr", {}, ["Name", "Phase", "Desired", "Current", "Last known good", "Ready", "Age"].map((h) => el("th", {}, h)))),
            el("tbody", {}, body))));
}

function releaseView(name) {
  const r = releases.get(name);
  if (!r) {
    return el("div", {}, el("p", { class: "crumbs" }, el("a", { href: "/", "data-link": true }, "← All releases")),
      el("h1", {}, name), el("p", { class: "empty" }, ready ? "No release named " + name + "." : "Loading…"));
  }
  const s = r.status || {};
  const c = condition(s, "Ready");
  return el("div", {},
    el("p", { class: "crumbs" }, el("a", { href: "/", "data-link": true }, "← All releases")),
    el("div", { class: "release-head" },
      el("div", { class: "titles" },
        el("h1", {}, name, phasePill(s.phase), readyPill(s)),
        el("p", { class: "subtitle" }, r.spec?.source?.url ? r.spec.source.url + " at " + (r.spec.source.ref || "?") : "")),
      actions(r)),
    c?.message ? el("p", { class: "message" + (c.status === "False" ? " bad" : "") }, el("strong", {}, c.reason + ": "), c.message) : null,
    el("section", { class: "panel" }, el("h2", {}, "Revisions"),
      el("div", { class: "revisions" },
        revisionCard("Desired", s.desired), revisionCard("Current", s.current), revisionCard("Last known good", s.lastKnownGood)),
      quarantined(s)),
    el("div", { class: "grid" },
      el("section", { class: "panel", id: "timeline" }, el("h2", {}, "Timeline", el("span", { class: "count" }, "deploys, rollbacks, backups")), timeline(s)),
      el("section", { class: "panel", id: "report" }, el("h2", {}, "Last rollback report"), report(s))),
    el("section", { class: "panel", id: "checks" }, el("h2", {}, "Checks"), checks(r)),
    el("div", { class: "grid" },
      el("section", { class: "panel", id: "services" }, el("h2", {}, "Services"), services(s)),
      el("section", { class: "panel", id: "backups" }, el("h2", {}, "Backups"), backups(s))));
}

function revisionCard(label, r) {
  return el("div", { class: "revision" }, el("div", { class: "label" }, label),
    el("div", { class: "value" }, rev(r)), el("div", { class: "when" }, r?.time ? when(r.time) : ""));
}

function quarantined(s) {
  const q = s.quarantined || [];
  if (q.length === 0) return null;
  return el("p", { class: "message bad" }, el("strong", {}, "Quarantined: "),
    q.map((x) => (x.commit || "").slice(0, 7) + " (" + (x.reason || "") + (x.message ? ": " + x.message : "") + ")").join("; "),
    " — not deployed again unless Retry is pressed while the ref names it.");
}

const ACTION_TITLE = { Deploy: "Deploy", Rollback: "Rollback", EmergencyRollback: "Emergency rollback", Backup: "Backup", Restore: "Restore" };
const RESULT_CLASS = { Succeeded: "ok", Failed: "bad", InProgress: "warn" };

function timeline(s) {
  const h = s.history || [];
  if (h.length === 0) return el("p", { class: "empty" }, "Nothing deployed yet.");
  return el("ol", { class: "timeline" }, h.map((e) => {
    const took = seconds(e.startTime, e.endTime);
    const target = e.action === "Backup" ? (e.backup || "") : revText(e.to);
    return el("li", { "data-action": e.action, "data-result": e.result },
      el("div", { class: "tl-top" },
        el("span", { class: "tl-title" }, (ACTION_TITLE[e.action] || e.action) + " " + target),
        el("span", { class: "pill " + (RESULT_CLASS[e.result] || "") }, e.result),
        el("span", { class: "tl-when" }, when(e.startTime) + (took !== null ? " · " + duration(took) : ""))),
      el("div", { class: "tl-detail" },
        "Trigger " + e.trigger + (e.from ? " · from " + revText(e.from) : "") + (e.backup && e.action !== "Backup" ? " · backup " + e.backup : "")
          + (e.restore ? " · restore " + e.restore : "")),
      e.reason ? el("div", { class: "tl-detail" }, e.reason) : null,
      (e.trippedChecks || []).length ? el("div", { class: "tl-detail" }, "Tripped: " + e.trippedChecks.join(", ")) : null);
  }));
}

const TRIGGER_KIND = { HealthCheck: "Automatic", VerificationFailed: "Automatic", ApplyFailed: "Automatic", Manual: "Manual", Emergency: "Emergency", SpecChange: "Manual", Retry: "Manual" };

function report(s) {
  const r = s.lastRollback;
  if (!r) return el("p", { class: "empty" }, "No rollback yet.");
  const todo = (text) => el("span", { class: "todo" }, text);
  const kind = TRIGGER_KIND[r.trigger] || r.trigger;
  const rows = [
    ["Date", when(r.startTime || r.detectionTime)],
    ["Trigger", kind === r.trigger ? kind : kind + " (" + r.trigger + ")"],
    ["Reason", r.reason || "–"],
    ["Rollback Time", duration(r.rollbackSeconds)],
    ["Recovery Time", r.recoverySeconds !== undefined ? duration(r.recoverySeconds) : (r.result === "InProgress" ? "in progress" : "–")],
    ["Services Affected", (r.servicesAffected || []).join(", ") || "–"],
    ["Root Cause", todo("for the team to fill in" + ((r.trippedChecks || []).length ? "; checks that tripped: " + r.trippedChecks.join(", ") : ""))],
    ["Prevention Measures", todo((s.quarantined || []).length ? "commit quarantined; fill in what else was done" : "for the team to fill in")],
    ["Lessons Learned", todo("for the team to fill in")],
  ];
  return el("div", {},
    el("dl", { class: "report" }, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    el("p", { class: "note report-note" }, "From " + revText(r.from) + " to " + revText(r.to) + " · result " + (r.result || "–")
      + (r.manualVerificationRequired ? " · manual verification required (emergency rollback: no verification gate ran)" : "")));
}

function checks(r) {
  const statuses = new Map((r.status?.checks || []).map((c) => [c.name, c]));
  const list = r.checkSamples || [];
  if (list.length === 0) return el("p", { class: "empty" }, "No checks.");
  return el("div", { class: "checks" }, list.map((c) => {
    const st = statuses.get(c.name) || {};
    const cls = st.state === "Passing" ? "ok" : st.state === "Tripped" || st.state === "Error" ? "bad" : st.state === "Failing" ? "warn" : "";
    return el("div", { class: "check", "data-check": c.name },
      el("div", { class: "check-head" },
        el("span", {}, el("span", { class: "check-name" }, c.name), " ", el("span", { class: "check-type" }, c.type || "")),
        el("span", { class: "pill " + cls }, st.state || "Pending")),
      el("div", { class: "check-value" }, st.lastValue || "–"),
      el("div", { class: "check-msg" }, st.message || ""),
      chart(c));
  }));
}

function chart(c) {
  const pts = (c.samples || []).filter((p) => typeof p.number === "number");
  const W = 300, H = 90, L = 34, R = 6, T = 8, B = 16;
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": `last ${pts.length} values of ${c.name}` + (c.threshold ? `, ${c.threshold.label}` : "") });
  root.append(svg("rect", { class: "frame", x: L, y: T, width: W - L - R, height: H - T - B }));
  if (pts.length === 0) {
    root.append(svg("text", { class: "axis", x: L + 8, y: H / 2 + 4 }, (c.samples || []).length ? "no numeric values to chart" : "no values recorded yet"));
    return root;
  }
  const values = pts.map((p) => p.number);
  if (c.threshold) values.push(c.threshold.value);
  let lo = Math.min(0, ...values), hi = Math.max(...values);
  if (hi === lo) hi = lo + 1;
  // Headroom so a line at the top stays visible; a share never reads above 100 %.
  hi = c.unit === "%" && hi <= 100 ? 100 : hi + (hi - lo) * 0.1;
  const x = (i) => L + (pts.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (pts.length - 1));
  // Points keep 6 px off the frame's top so a value at the maximum stays readable.
  const y = (v) => T + 6 + (H - T - B - 6) * (1 - (v - lo) / (hi - lo));
  const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v) : +v.toFixed(2)) + (c.unit || "");
  root.append(svg("text", { class: "axis", x: 2, y: T + 8 }, fmt(hi)));
  root.append(svg("text", { class: "axis", x: 2, y: H - B }, fmt(lo)));
  const line = pts.map((p, i) => `${x(i).toFixed(1)},${y(p.number).toFixed(1)}`).join(" ");
  if (pts.length > 1) {
    root.append(svg("polygon", { class: "area", points: `${x(0)},${y(lo)} ${line} ${x(pts.length - 1)},${y(lo)}` }));
    root.append(svg("polyline", { class: "line", points: line }));
  }
  pts.forEach((p, i) => {
    const bad = p.state === "Failing" || p.state === "Tripped" || p.state === "Error";
    const dot = svg("circle", { class: "dot" + (bad ? " bad" : p.state === "Pending" ? " pending" : ""), cx: x(i), cy: y(p.number), r: 3 });
    dot.append(svg("title", {}, `${p.value} · ${p.state || ""} · ${when(p.time)}`));
    root.append(dot);
  });
  if (c.threshold) {
    const ty = y(c.threshold.value);
    root.append(svg("line", { class: "threshold", x1: L, x2: W - R, y1: ty, y2: ty }));
    root.append(svg("text", { class: "thr-label", x: W - R - 4, y: ty - 4, "text-anchor": "end" }, c.threshold.label));
  }
  root.append(svg("text", { class: "axis", x: L, y: H - 3 }, `last ${pts.length} value${pts.length === 1 ? "" : "s"}`));
  return root;
}

function services(s) {
  const list = s.services || [];
  if (list.length === 0) return el("p", { class: "empty" }, "No containers observed.");
  return el("table", { class: "stack" },
    el("thead", {}, el("tr", {}, ["Service", "State", "Health", "Image", "Commit"].map((h) => el("th", {}, h)))),
    el("tbody", {}, list.map((x) => el("tr", { "data-service": x.name },
      el("td", { "data-label": "Service" }, el("strong", {}, x.name)),
      el("td", { "data-label": "State" }, el("span", { class: "pill " + (x.state === "running" ? "ok" : "bad") }, x.state || "–")),
      el("td", { "data-label": "Health" }, el("span", { class: "pill " + (x.health === "healthy" ? "ok" : x.health === "unhealthy" ? "bad" : x.health === "starting" ? "warn" : "") }, x.health || "none")),
      el("td", { "data-label": "Image", class: "mono" }, x.image || "–"),
      el("td", { "data-label": "Commit", class: "mono" }, (x.commit || "–").slice(0, 7))))));
}

function backups(s) {
  const list = s.backups || [];
  if (list.length === 0) return el("p", { class: "empty" }, "No backups recorded.");
  const restores = (s.history || []).filter((h) => h.action === "Restore" || (h.restore && h.backup));
  return el("table", { class: "stack" },
    el("thead", {}, el("tr", {}, ["Backup", "Taken", "Size", "Why", "Restored / drill"].map((h) => el("th", {}, h)))),
    el("tbody", {}, list.map((b) => {
      const r = restores.find((h) => h.backup === b.name);
      return el("tr", { "data-backup": b.name },
        el("td", { "data-label": "Backup", class: "mono" }, b.name),
        el("td", { "data-label": "Taken" }, when(b.time)),
        el("td", { "data-label": "Size" }, bytes(b.size)),
        el("td", { "data-label": "Why" }, b.reason || "–"),
        el("td", { "data-label": "Restored / drill" }, r ? el("span", { class: "pill " + (RESULT_CLASS[r.restore || r.result] || "") }, (r.restore || r.result) + " " + when(r.startTime)) : "not restored yet"));
    })));
}

// ---- actions --------------------------------------------------------------------------------

// Where a rollback goes, as the daemon decides it: last-known-good unless it is what runs (or is
// quarantined), else the newest other revision that succeeded.
function rollbackTarget(s) {
  const running = s.current?.commit;
  const blocked = new Set((s.quarantined || []).map((q) => q.commit));
  const lkg = s.lastKnownGood;
  if (lkg && lkg.commit !== running && !blocked.has(lkg.commit)) return lkg;
  const h = (s.history || []).find((e) => e.result === "Succeeded" && e.to && e.to.commit !== running && !blocked.has(e.to.commit));
  return h ? h.to : null;
}

function describe(action, r) {
  const s = r.status || {};
  const target = rollbackTarget(s);
  const lkg = revText(target);
  const cur = revText(s.current);
  switch (action) {
    case "rollback":
      return { title: "Roll back " + r.name + "?", danger: true, button: "Roll back",
        text: `Moves ${r.name} from ${cur} back to ${lkg}: compose up of that commit from its local checkout, then its checks must pass again. The commit it leaves is quarantined.` };
    case "emergency-rollback":
      return { title: "Emergency rollback of " + r.name + "?", danger: true, button: "Emergency rollback",
        text: `No backup and no verification gate: compose down --remove-orphans, then up of ${lkg} at once. Someone must verify the stack by hand afterwards.` };
    case "retry":
      return { title: "Retry " + r.name + "?", danger: false, button: "Retry",
        text: `Lifts the quarantine of the desired commit ${revText(s.desired)} once and deploys it again; if its checks fail, it rolls back again.` };
    case "backup":
      return { title: "Back up " + r.name + " now?", danger: false, button: "Back up now",
        text: `Takes a database backup of ${r.name} now, as spec.backup describes it, and records it under Backups.` };
  }
  return null;
}

function actions(r) {
  if (READ_ONLY) return el("p", { class: "note read-only-note" }, document.body.dataset.note);
  const s = r.status || {};
  const hasLkg = !!rollbackTarget(s);
  const btn = (action, label, cls, enabled, why) => el("button", {
    class: "btn " + cls, type: "button", "data-action": action, disabled: !enabled, title: enabled ? "" : why,
    onclick: () => confirmAndRun(action, r.name),
  }, label);
  return el("div", { class: "actions" },
    btn("rollback", "Roll back", "btn-warn", hasLkg, "no earlier good revision to go back to"),
    btn("emergency-rollback", "Emergency rollback", "btn-warn", hasLkg, "no earlier good revision to go back to"),
    btn("retry", "Retry", "", (s.quarantined || []).some((q) => q.commit === s.desired?.commit), "the desired commit is not quarantined"),
    btn("backup", "Back up now", "", !!r.spec?.backup, "spec.backup is not set"));
}

function confirmAndRun(action, name) {
  const r = releases.get(name);
  if (!r) return;
  const d = describe(action, r);
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-title").textContent = d.title;
  document.getElementById("confirm-text").textContent = d.text;
  document.getElementById("confirm-token-note").hidden = !!token();
  const ok = document.getElementById("confirm-ok");
  ok.textContent = d.button;
  ok.className = "btn " + (d.danger ? "btn-danger" : "btn-primary");
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "ok") return;
    if (!token() && !(await askToken())) return;
    await post(`/api/v1/releases/${encodeURIComponent(name)}/${action}`);
  };
  dialog.showModal();
}

async function post(path, done) {
  let res;
  try {
    res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Backstop-Token": token() || "" },
      body: "{}",
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    toast("The daemon cannot be reached: " + e.message, true);
    return null;
  }
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 || res.status === 403) {
    if (res.status === 403 && token()) sessionStorage.removeItem(TOKEN_KEY);
    updateTokenButton();
    toast("Refused (" + res.status + "): " + (body.error || "the API token is missing or wrong"), true);
    return res;
  }
  toast(res.ok ? done || body.message || "Requested." : "Failed (" + res.status + "): " + (body.error || res.statusText), !res.ok);
  return res;
}

// ---- token ----------------------------------------------------------------------------------

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function updateTokenButton() {
  const b = document.getElementById("token-button");
  b.textContent = token() ? "API token ✓" : "API token";
  b.dataset.set = token() ? "true" : "false";
}

function askToken() {
  return new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog");
    const input = document.getElementById("token-input");
    const error = document.getElementById("token-error");
    input.value = token() || "";
    error.hidden = true;
    dialog.returnValue = "";
    dialog.onclose = async () => {
      if (dialog.returnValue === "forget") {
        sessionStorage.removeItem(TOKEN_KEY);
        updateTokenButton();
        resolve(false);
        return;
      }
      if (dialog.returnValue !== "save" || !input.value.trim()) {
        resolve(false);
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      updateTokenButton();
      const res = await post("/api/v1/token", "Token accepted: the buttons act now.");
      resolve(!!res && res.ok);
    };
    dialog.showModal();
    input.focus();
  });
}

function toast(text, bad) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.className = "toast" + (bad ? " bad" : "");
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 8000);
}

// ---- live updates ---------------------------------------------------------------------------

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource("/api/v1/events");
  source.addEventListener("open", () => {
    live.dataset.state = "live";
    live.textContent = "live";
    // The daemon sends every release again on each connection: start from that, not from memory.
    releases.clear();
  });
  source.addEventListener("release", (e) => {
    const r = JSON.parse(e.data);
    releases.set(r.name, r);
    if (ready) render();
  });
  source.addEventListener("removed", (e) => {
    releases.delete(JSON.parse(e.data).name);
    render();
  });
  source.addEventListener("ready", () => { ready = true; render(); });
  source.addEventListener("error", () => {
    live.dataset.state = "down";
    live.textContent = "reconnecting…";
    // The browser retries by itself; the daemon resends every release when it is back.
    ready = false;
  });
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-link]");
  if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  history.pushState({}, "", a.getAttribute("href"));
  render();
  window.scrollTo(0, 0);
});
window.addEventListener("popstate", render);
document.getElementById("token-button").addEventListener("click", () => askToken());
// Ages move on even when nothing else changes.
setInterval(() => { if (ready && !document.querySelector("dialog[open]")) render(); }, 10000);
updateTokenButton();
render();
connect();
