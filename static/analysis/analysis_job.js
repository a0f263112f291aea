// A page waiting for analyses computed in the background: ask for their state every
// two seconds, show it as text, and reload the page once they are done (the figures
// are then drawn by the server). Without script the page's own link refreshes it.
(function () {
  "use strict";
  const row = document.querySelector("[data-job-status-url]");
  if (!row) {
    return;
  }
  const text = row.querySelector("[data-job-status-text]");
  const url = row.dataset.jobStatusUrl;
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
})();
