// An agreement's page while its signed document is made in the background: ask for
// the state every two seconds, show it as text, and reload the page once the job
// has finished (its outcome, the document or why it failed, is then drawn by the
// server). Without script the page's own link refreshes it.
(function () {
  "use strict";
  const boxes = document.querySelectorAll("[data-status-url]");
  boxes.forEach(function (box) {
    const text = box.querySelector("[data-status-text]");
    const url = box.dataset.statusUrl;
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (state && state.finished) {
            window.location.reload();
            return;
          }
          if (state && text) {
            text.textContent = state.text;
          }
          window.setTimeout(poll, 2000);
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }
    window.setTimeout(poll, 2000);
  });
})();
