/* A button with data-copy="ID" copies the value of the field with that id and
   says so in the status line after it (.copy-field__status, read out politely).
   Without JavaScript the button stays hidden and the field can be copied by hand. */
(function () {
  "use strict";

  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".copy-field").nextElementSibling;
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) {
          status.textContent = button.getAttribute("data-copied");
        }
      }, function () {
        field.select();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-copy]").forEach(setUp);
  });
})();
