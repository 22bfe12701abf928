// Helpwell agent workspace: the queue's selection and keyboard shortcuts. No build step, no framework.
// Every page works without this file; it only makes the keyboard and bulk actions quicker.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var NOT_TEXT = { checkbox: 1, radio: 1, button: 1, submit: 1, reset: 1, file: 1 };
  function isTyping(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !NOT_TEXT[(el.type || "").toLowerCase()];
  }
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function submit(form) { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }

  // --- filters and sort: a changed select applies at once -------------------------------------------
  $$("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { submit(select.form); });
  });

  // --- queue: selection and bulk actions ------------------------------------------------------------
  var bulkForm = $("[data-bulk-form]");
  function rowChecks() { return $$("[data-row-check]"); }
  function refreshSelection() {
    if (!bulkForm) return;
    var checks = rowChecks();
    var chosen = checks.filter(function (c) { return c.checked; }).length;
    checks.forEach(function (c) { c.closest("tr").classList.toggle("is-selected", c.checked); });
    var all = $("[data-select-all]");
    if (all) {
      all.checked = chosen > 0 && chosen === checks.length;
      all.indeterminate = chosen > 0 && chosen < checks.length;
    }
    var label = $("[data-selected-count]");
    if (label) {
      label.textContent = chosen ? chosen + " selected" : "Select tickets to change several at once";
      label.classList.toggle("has-selection", chosen > 0);
    }
    $$("[data-needs-selection], .ws-bulkbar select, .ws-bulkbar input[type=text]").forEach(function (el) {
      el.disabled = chosen === 0;
    });
  }
  if (bulkForm) {
    bulkForm.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches("[data-select-all]")) {
        rowChecks().forEach(function (c) { c.checked = target.checked; });
      }
      // Picking an assignee, status or priority applies it to the selection straight away.
      if (target.matches(".ws-bulkbar select") && target.value) {
        $("[data-bulk-action]", bulkForm).value = target.name === "assignee" ? "assign" : target.name;
        submit(bulkForm);
        return;
      }
      refreshSelection();
    });
    bulkForm.addEventListener("submit", function (event) {
      if (!rowChecks().some(function (c) { return c.checked; })) event.preventDefault();
    });
    refreshSelection();
  }

  // The "current" row that j/k move and x/o act on; focus sits on its subject link.
  var rows = $$("[data-queue] tbody tr[data-row]");
  var current = -1;
  function setCurrent(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (rows[current]) rows[current].classList.remove("is-current");
    current = index;
    rows[current].classList.add("is-current");
    var link = $("[data-row-link]", rows[current]);
    if (link) link.focus({ preventScroll: true });
    rows[current].scrollIntoView({ block: "nearest" });
  }
  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () {
      if (rows[current]) rows[current].classList.remove("is-current");
      current = index;
      row.classList.add("is-current");
    });
  });

  // --- ticket page ---------------------------------------------------------------------------------------
  var reply = $("[data-reply-form]");
  function startReply(kind) {
    if (!reply) return;
    var radio = $("input[name=kind][value=" + kind + "]", reply);
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var body = $("[data-reply-body]", reply);
    body.scrollIntoView({ block: "center", behavior: "smooth" });
    body.focus({ preventScroll: true });
  }
  if (reply) {
    reply.addEventListener("change", function (event) {
      if (event.target.name !== "kind") return;
      var body = $("[data-reply-body]", reply);
      body.placeholder = event.target.value === "internal" ? "Write a note for your team…" : "Write your reply…";
    });
  }
  function setSolved() {
    var status = $("#prop_status");
    if (!status || status.value === "solved") return;
    status.value = "solved";
    status.dispatchEvent(new Event("change", { bubbles: true }));
    if (!window.htmx) submit(status.form);
  }

  // --- keyboard ----------------------------------------------------------------------------------------------
  var dialog = $("#shortcuts");
  var gPressedAt = 0;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (event.key === "Escape" && isTyping(target)) { target.blur(); return; }
    if (isTyping(target) || (dialog && dialog.open)) return;
    var key = event.key;

    if (gPressedAt && Date.now() - gPressedAt < 1500) {
      gPressedAt = 0;
      if (key === "q") {
        event.preventDefault();
        var back = $("[data-queue-link]");
        window.location.href = back ? back.getAttribute("href") : "/agent/";
      }
      return;
    }
    switch (key) {
      case "g": gPressedAt = Date.now(); return;
      case "?":
        if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
        return;
      case "/":
        var search = $("[data-shortcut-search]") || $("#global-q");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        return;
    }
    if (rows.length) {
      if (key === "j") { event.preventDefault(); setCurrent(current + 1); }
      else if (key === "k") { event.preventDefault(); setCurrent(current < 0 ? 0 : current - 1); }
      else if (key === "x" && current >= 0) {
        event.preventDefault();
        var box = $("[data-row-check]", rows[current]);
        box.checked = !box.checked;
        refreshSelection();
      } else if ((key === "o" || (key === "Enter" && target === document.body)) && current >= 0) {
        event.preventDefault();
        window.location.href = rows[current].getAttribute("data-href");
      }
      return;
    }
    if (reply) {
      if (key === "r") { event.preventDefault(); startReply("public"); }
      else if (key === "n") { event.preventDefault(); startReply("internal"); }
      else if (key === "a") {
        var claim = $("[data-claim]");
        if (claim) { event.preventDefault(); claim.click(); }
      } else if (key === "s") { event.preventDefault(); setSolved(); }
    }
  });
})();
