/* The portal's small script: live updates of the quotes and of the label, and a few
   conveniences. Every page works without it; the live parts then offer a refresh link. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var MAX_DELAY = 10000;

  function getJSON(url) {
    return fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // Poll `url` until `handle(data)` returns false; slower after errors, never faster than 1.5 s.
  function poll(url, handle) {
    var delay = 1500;
    function tick() {
      getJSON(typeof url === "function" ? url() : url)
        .then(function (data) {
          delay = 1500;
          if (handle(data) !== false) { window.setTimeout(tick, delay); }
        })
        .catch(function () {
          delay = Math.min(delay * 2, MAX_DELAY);
          window.setTimeout(tick, delay);
        });
    }
    window.setTimeout(tick, delay);
  }

  // Step 4: the quotes appear as the provider computes them.
  function liveQuotes() {
    var box = document.querySelector("[data-live-quotes]");
    if (!box || box.dataset.computing !== "true") { return; }
    var status = box.querySelector(".live-status");
    function url() {
      var chosen = document.querySelector('input[name="mode"]:checked');
      return box.dataset.pollUrl + (chosen ? "?mode=" + encodeURIComponent(chosen.value) : "");
    }
    poll(url, function (data) {
      if (data.reload) { window.location.reload(); return false; }
      Object.keys(data.modes || {}).forEach(function (mode) {
        var current = document.getElementById("mode-" + mode);
        var update = data.modes[mode];
        if (!current) { return; }
        // Only blocks whose state changed are replaced: a choice being made elsewhere stays.
        if (current.dataset.state !== update.state) {
          var next = fragment(update.html);
          if (next) { current.replaceWith(next); }
        }
      });
      if (!data.computing) {
        status.textContent = box.dataset.doneText || "";
        return false;
      }
      return true;
    });
  }

  // Step 6: the return's page while the label is being generated.
  function liveStatus() {
    var region = document.querySelector("[data-live-status]");
    if (!region || region.dataset.pending !== "true") { return; }
    poll(region.dataset.pollUrl, function (data) {
      if (data.version && data.version !== region.dataset.version) {
        region.innerHTML = data.html;
        region.dataset.version = data.version;
        // Tell screen readers what changed, without moving their focus.
        var heading = region.querySelector(".next-step h2");
        var announce = document.querySelector("[data-live-announce]");
        if (heading && announce) { announce.textContent = heading.textContent; }
      }
      region.dataset.pending = data.pending ? "true" : "false";
      return Boolean(data.pending);
    });
  }

  // Step 3: the photo field shows when the chosen reason needs a photo.
  function photoFields() {
    document.querySelectorAll("select[data-photo-codes]").forEach(function (select) {
      var codes = (select.dataset.photoCodes || "").split(" ").filter(Boolean);
      var field = document.getElementById(select.dataset.photoField);
      if (!field) { return; }
      function update() {
        var needed = codes.indexOf(select.value) !== -1;
        field.hidden = !needed && !field.hasAttribute("data-has-error");
        var input = field.querySelector("input[type=file]");
        if (input) { input.required = needed && !field.querySelector("a"); }
      }
      select.addEventListener("change", update);
      update();
    });
  }

  // Step 2: a quantity only matters for a ticked item.
  function quantities() {
    document.querySelectorAll("input[type=checkbox][data-quantity]").forEach(function (box) {
      var select = document.getElementById(box.dataset.quantity);
      if (!select || select.tagName !== "SELECT") { return; }
      function update() { select.disabled = !box.checked; }
      box.addEventListener("change", update);
      update();
    });
  }

  // Forms with errors: move focus to the summary so it is read out first.
  function focusErrors() {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }

  // Again once loaded: a #fragment in the address (the skip link) would take the focus back.
  window.addEventListener("load", focusErrors);

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors();
    quantities();
    photoFields();
    liveQuotes();
    liveStatus();
  });
})();
