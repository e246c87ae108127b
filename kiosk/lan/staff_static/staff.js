// The staff page: login keypad, and the counter's buttons. No library, no CDN.
// Every action is a POST to ./action with the session's CSRF token; the answer
// carries the message to show and the counter's fresh state.
"use strict";

(function () {
  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- login: the on-screen keypad fills the PIN field ----------------------
  const pin = $("pin");
  if (pin) {
    document.querySelectorAll(".keypad .key").forEach(function (key) {
      key.addEventListener("click", function () {
        const k = key.getAttribute("data-key");
        if (k === "clear") pin.value = "";
        else if (pin.value.length < 12) pin.value += k;
        pin.focus();
      });
    });
  }

  // ---- the counter page -------------------------------------------------------
  const body = document.body;
  if (!body.classList.contains("counter")) return;
  const cfg = JSON.parse(body.getAttribute("data-config"));
  const T = cfg.texts;
  let view = null;
  let busy = false;
  let typed = "";
  let prefix = "";

  function fill(t) { return function (s) { return s.replace(/\{(\w+)\}/g, function (_, k) { return t[k] === undefined ? "?" : t[k]; }); }; }

  [["next", "next"], ["recall", "recall"], ["skip", "skip"], ["transfer", "transfer"], ["callnum", "call_number"],
   ["keypad-call", "call"], ["keypad-cancel", "cancel"], ["transfer-cancel", "cancel"], ["logout", "logout"],
   ["waiting-caption", "waiting"], ["calls-caption", "last_calls"], ["current-caption", "now_serving"]]
    .forEach(function (pair) { $(pair[0]).textContent = T[pair[1]]; });

  function say(text, ok) {
    const m = $("message");
    m.textContent = text;
    m.className = "message " + (ok ? "ok" : "refused");
  }

  function request(method, path, payload) {
    const options = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": cfg.csrf } };
    if (payload) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(cfg.base + path, options).then(function (r) {
      if (r.status === 401) { window.location.reload(); throw new Error("session"); }
      return r.json().then(function (data) { data.status = r.status; return data; });
    });
  }

  function render(v) {
    view = v;
    $("open-state").textContent = v.open ? T.is_open : T.is_closed;
    $("open-state").className = "pill " + (v.open ? "open" : "closed");
    $("toggle").textContent = v.open ? T.close : T.open;
    $("toggle").className = v.open ? "danger" : "primary";
    $("current-label").textContent = v.current ? v.current.label : "-";
    $("current-service").textContent = v.current ? v.current.service_name : T.nobody;
    ["next", "recall", "skip", "transfer", "callnum"].forEach(function (id) { $(id).disabled = !v.open; });
    $("recall").disabled = $("skip").disabled = $("transfer").disabled = !v.open || !v.current;
    const waiting = $("waiting");
    waiting.replaceChildren();
    v.waiting.forEach(function (w) {
      const li = el("li");
      li.append(el("span", "name", w.name), el("span", "count", String(w.count)));
      waiting.append(li);
    });
    const calls = $("calls");
    calls.replaceChildren();
    if (!v.last_calls.length) calls.append(el("li", "empty", "-"));
    v.last_calls.forEach(function (c) {
      const li = el("li");
      li.append(el("span", "name", c.label), el("span", "time", c.time));
      calls.append(li);
    });
  }

  function act(payload) {
    if (busy) return;  // one request at a time: a double tap must not call twice
    busy = true;
    document.querySelectorAll("button").forEach(function (b) { b.classList.add("wait"); });
    request("POST", "/action", payload).then(function (data) {
      say(data.message, data.ok);
      if (data.view) render(data.view);
    }).catch(function () {
      say(T.offline, false);
    }).finally(function () {
      busy = false;
      document.querySelectorAll("button").forEach(function (b) { b.classList.remove("wait"); });
    });
  }

  function refresh() {
    if (busy || document.hidden) return;
    request("GET", "/state").then(function (data) {
      if (data.view) render(data.view);
      else if (data.message) say(data.message, false);
    }).catch(function () { /* the next poll tries again */ });
  }

  document.querySelectorAll("[data-action]").forEach(function (b) {
    b.addEventListener("click", function () { act({ action: b.getAttribute("data-action") }); });
  });
  $("toggle").addEventListener("click", function () { act({ action: view && view.open ? "close" : "open" }); });

  // Transfer: one button per service; closed ones disabled and marked.
  $("transfer").addEventListener("click", function () {
    if (!view || !view.current) return;
    $("transfer-caption").textContent = fill({ label: view.current.label })(T.transfer_to);
    const list = $("transfer-services");
    list.replaceChildren();
    view.services.forEach(function (s) {
      if (s.code === view.current.service) return;
      const b = el("button", "choice", s.prefix + "  " + s.name + (s.open ? "" : " (" + T.service_closed + ")"));
      b.type = "button";
      b.disabled = !s.open;
      b.setAttribute("data-service", s.code);
      b.addEventListener("click", function () {
        $("transfer-panel").hidden = true;
        act({ action: "transfer", service: s.code });
      });
      list.append(b);
    });
    $("transfer-panel").hidden = false;
  });
  $("transfer-cancel").addEventListener("click", function () { $("transfer-panel").hidden = true; });

  // Call a number: a letter, then digits.
  function showTyped() {
    $("keypad-display").textContent = (prefix || "?") + "-" + (typed || "___");
    document.querySelectorAll("#keypad-prefixes .prefix").forEach(function (b) {
      b.classList.toggle("selected", b.textContent === prefix);
    });
  }
  $("callnum").addEventListener("click", function () {
    typed = "";
    prefix = view && view.services.length ? view.services[0].prefix : "";
    const prefixes = $("keypad-prefixes");
    prefixes.replaceChildren();
    (view ? view.services : []).forEach(function (s) {
      const b = el("button", "prefix", s.prefix);
      b.type = "button";
      b.addEventListener("click", function () { prefix = s.prefix; showTyped(); });
      prefixes.append(b);
    });
    const digits = $("keypad-digits");
    digits.replaceChildren();
    // The same layout as the PIN keypad: 1-9, then clear and 0.
    "123456789".split("").concat(["clear", "0"]).forEach(function (d) {
      const b = el("button", "key", d === "clear" ? T.clear : d);
      b.type = "button";
      b.setAttribute("data-digit", d);
      b.addEventListener("click", function () {
        if (d === "clear") typed = "";
        else if (typed.length < 4) typed += d;
        showTyped();
      });
      digits.append(b);
    });
    showTyped();
    $("keypad-panel").hidden = false;
  });
  $("keypad-cancel").addEventListener("click", function () { $("keypad-panel").hidden = true; });
  $("keypad-call").addEventListener("click", function () {
    if (!prefix || !typed) return;
    $("keypad-panel").hidden = true;
    act({ action: "call", label: prefix + "-" + typed });
  });

  $("logout").addEventListener("click", function () {
    request("POST", "/logout").finally(function () { window.location.reload(); });
  });

  refresh();
  setInterval(refresh, 3000);
})();
