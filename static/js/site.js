/* Small progressive enhancements; every page works without them.
   1. A plain (non-HTMX) form post is sent once: later submits while the page is leaving are ignored and
      its buttons show they are busy. The server's idempotency tokens remain the real guarantee.
   2. A refresh of the product's prices never overwrites what the shopper changed while it was on its way
      (a quantity typed, another colour tapped): its answer is dropped and a new refresh is asked for.
   3. The home page's sideways rows get previous/next buttons for mouse users. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;  // HTMX took it over
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    // Disable after this turn: the submitter's own name/value is already part of this submission.
    setTimeout(function () {
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });
  // Back/forward cache: a page shown again may be submitted again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll("[aria-disabled=true]").forEach(function (b) { b.removeAttribute("aria-disabled"); });
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var cfg = event.detail.requestConfig;
    var elt = cfg && cfg.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-keep-choices") || !event.detail.shouldSwap) return;
    var form = elt.closest("form");
    if (!form) return;
    var sent = cfg.parameters || {};
    var changed = false;
    new FormData(form).forEach(function (value, name) {
      if (name.indexOf("o_") === 0 || name === "qty") {
        var was = sent[name];
        if (Array.isArray(was)) was = was[0];
        if (String(was) !== String(value)) changed = true;
      }
    });
    if (changed) {
      event.detail.shouldSwap = false;
      window.htmx.trigger(elt, "change");
    }
  });

  function wireRows() {
    document.querySelectorAll(".row-nav[hidden]").forEach(function (nav) {
      var row = document.getElementById(nav.getAttribute("data-row"));
      if (!row) return;
      nav.hidden = false;
      nav.querySelectorAll("button[data-step]").forEach(function (button) {
        button.addEventListener("click", function () {
          var rtl = getComputedStyle(row).direction === "rtl";
          var step = Number(button.getAttribute("data-step")) * row.clientWidth * 0.9;
          row.scrollBy({ left: rtl ? -step : step, behavior: "smooth" });
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireRows);
  else wireRows();
})();
