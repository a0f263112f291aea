/* Wide tables: a table in <div class="table-wrap table-wrap--scroll"> scrolls
   sideways; its hint (the element named by aria-describedby) says so while the
   table is wider than its box, and is hidden when everything fits. */
(function () {
  "use strict";

  function update(wrap) {
    var hint = document.getElementById(wrap.getAttribute("aria-describedby"));
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("is-scrollable", scrolls);
    if (hint) {
      hint.hidden = !scrolls;
    }
  }

  function updateAll() {
    document.querySelectorAll(".table-wrap--scroll").forEach(update);
  }

  document.addEventListener("DOMContentLoaded", updateAll);
  window.addEventListener("resize", updateAll);
})();
