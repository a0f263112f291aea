// An outlet import's page while a background job works on it: fetch the page again
// every two seconds and show its progress; reload once the status changes (the
// preview or the outcome is then drawn by the server). Only text and numbers are
// copied over. Without script the page's own link refreshes it.
(function () {
  "use strict";
  const box = document.querySelector("[data-run-status]");
  if (!box) {
    return;
  }
  function progressOf(root) {
    return {
      bar: root.querySelector("[data-progress]"),
      text: root.querySelector("[data-progress-text]"),
    };
  }
  function show(fresh) {
    const now = progressOf(box);
    const next = progressOf(fresh);
    if (!next.bar || !now.bar) {
      return Boolean(next.bar) === Boolean(now.bar);
    }
    now.bar.max = next.bar.max;
    now.bar.value = next.bar.value;
    now.bar.textContent = next.bar.textContent;
    now.text.textContent = next.text.textContent;
    return true;
  }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (body) {
        if (body !== null) {
          const page = new DOMParser().parseFromString(body, "text/html");
          const fresh = page.querySelector("[data-run-status]");
          if (!fresh || fresh.dataset.runStatus !== box.dataset.runStatus || !show(fresh)) {
            window.location.reload();
            return;
          }
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 2000);
})();
