/*
 * A CSV import's page: while a worker checks or imports the file, ask for its progress every
 * second and move the bar; when the step is over, reload the page (it then shows the preview,
 * the errors or the result). The page reads the same without JavaScript, with a refresh link.
 */
(function () {
  "use strict";

  const config = document.getElementById("csv-import-config");
  if (!config) {
    return;
  }
  const settings = JSON.parse(config.textContent);
  if (!settings.running) {
    return;
  }
  const bar = document.getElementById("csv-import-bar");
  const text = document.getElementById("csv-import-text");
  const percent = document.getElementById("csv-import-percent");
  const state = document.getElementById("csv-import-state");
  const refresh = document.getElementById("csv-import-refresh");
  if (refresh) {
    refresh.parentElement.hidden = true;
  }

  function show(status) {
    if (text) {
      text.textContent = status.text;
    }
    if (state) {
      state.textContent = status.state_label;
    }
    if (bar) {
      if (status.indeterminate) {
        bar.removeAttribute("value");
        bar.textContent = "working…";
      } else {
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
      }
    }
    if (percent) {
      percent.textContent = status.indeterminate ? "" : status.percent + "%";
    }
  }

  function poll() {
    fetch(settings.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (!status.running || status.state !== settings.state) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, settings.interval);
      })
      .catch(function () {
        // A lost answer (a restart, the network): try again a little later.
        window.setTimeout(poll, settings.interval * 5);
      });
  }

  window.setTimeout(poll, settings.interval);
})();
