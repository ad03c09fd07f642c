/* Small progressive enhancements; every page works without them.
   1. A plain (non-HTMX) form post is sent once: later submits while the page is leaving are ignored and
      its buttons show they are busy. The server's idempotency tokens remain the real guarantee.
   2. The home page's sideways rows get previous/next buttons for mouse users. */
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
