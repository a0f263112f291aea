// A page waiting for work done in the background (an import's check, a load, an
// analysis, an annual report, a signed document): for each element with
// data-status-url, ask for the state every two seconds, show its text in the
// element's data-status-text, and reload the page once the job has finished (its
// outcome is then drawn by the server). Without script the page's own link
// refreshes it.
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
