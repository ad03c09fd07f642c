/* Keyboard and screen-reader behaviour for the search box's suggestion list (WAI-ARIA combobox).
   HTMX fills #suggestions; this file only moves the active option and opens/closes the list. */
(function () {
  "use strict";
  function setup() {
    var input = document.getElementById("q"), list = document.getElementById("suggestions");
    if (!input || !list) return;
    var active = -1;
    function options() { return list.querySelectorAll('[role="option"]'); }
    function open(show) {
      list.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) { active = -1; input.removeAttribute("aria-activedescendant"); }
    }
    function move(step) {
      var opts = options();
      if (!opts.length) return;
      if (active >= 0) opts[active].setAttribute("aria-selected", "false");
      active = (active + step + opts.length) % opts.length;
      opts[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", opts[active].id);
    }
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (e.detail.target === list) { active = -1; open(options().length > 0); }
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) open(options().length > 0); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Escape") { open(false); }
      else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location.href = options()[active].querySelector("a").href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 200); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();
})();
