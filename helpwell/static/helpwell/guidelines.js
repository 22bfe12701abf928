// The reply box's guideline findings: apply a one-click fix to the draft, insert the code-of-conduct reply.
// The check itself is an htmx POST from the textarea (debounced); this only edits the textarea and re-checks.
(function () {
  "use strict";
  function body() { return document.querySelector("[data-reply-body]"); }
  function recheck(area) { area.dispatchEvent(new Event("input", { bubbles: true })); }

  document.addEventListener("click", function (event) {
    var fix = event.target.closest("[data-gl-fix]");
    if (fix) {
      var area = body();
      if (!area) return;
      var start = parseInt(fix.dataset.start, 10), end = parseInt(fix.dataset.end, 10);
      var text = fix.dataset.text;
      // The fix was computed for the draft as it was checked; if it has changed since, re-check instead.
      if (area.value.slice(start, end) === fix.dataset.orig) {
        area.value = area.value.slice(0, start) + text + area.value.slice(end);
        area.focus();
        var caret = start + text.length;
        area.setSelectionRange(caret, caret);
      }
      recheck(area);
      return;
    }
    if (event.target.closest("[data-gl-conduct]")) {
      var target = body(), tpl = document.getElementById("gl-conduct-reply");
      if (!target || !tpl) return;
      var radio = document.querySelector("input[name=kind][value=public]");
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
      target.value = tpl.innerHTML.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").trim();
      target.focus();
      target.scrollIntoView({ block: "center" });
      recheck(target);
    }
  });
  // Switching between a public reply and an internal note re-checks (notes are not checked).
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[name=kind]")) { var area = body(); if (area) recheck(area); }
  });
})();
