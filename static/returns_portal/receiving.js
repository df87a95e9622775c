/* The warehouse's receiving screens (templates/admin/shipbacks/returnorder/). Everything works
   without this script; with it:
   - "to receive": the search box selects its text on focus, so the next scan replaces it;
   - "receive": "Receive all" fills in the expected quantities without a round trip, and the
     requested action's quantity follows what is received (received - acted on - the other
     actions) until it is typed in by hand; after an error, the first field in error has the
     focus. */
(function () {
  "use strict";

  function number(input) {
    var value = parseInt(input.value, 10);
    return isNaN(value) || value < 0 ? 0 : value;
  }

  function setupItem(item) {
    var received = item.querySelector("input.rcv-received");
    if (!received) {
      return null;
    }
    var actions = Array.prototype.slice.call(item.querySelectorAll("input.rcv-action"));
    var defaultAction = item.getAttribute("data-default-action");
    var proposed = actions.filter(function (input) {
      return input.getAttribute("data-action") === defaultAction;
    })[0];
    var acted = parseInt(item.getAttribute("data-acted"), 10) || 0;
    var expected = parseInt(item.getAttribute("data-expected"), 10) || 0;
    var unexpected = item.getAttribute("data-unexpected") === "1";

    function propose() {
      if (!proposed || proposed.hasAttribute("data-typed")) {
        return;
      }
      var others = actions.reduce(function (sum, input) {
        return input === proposed ? sum : sum + number(input);
      }, 0);
      var pending = number(received) - acted - others;
      proposed.value = pending > 0 ? String(pending) : "";
    }

    received.addEventListener("input", propose);
    actions.forEach(function (input) {
      input.addEventListener("input", function () {
        if (input === proposed) {
          input.setAttribute("data-typed", "");
        } else {
          propose();
        }
      });
    });
    return {
      receiveAll: function () {
        if (!unexpected) {
          received.value = String(expected);
        }
        propose();
      },
    };
  }

  function setupReceiving(form) {
    var items = Array.prototype.slice
      .call(form.querySelectorAll("[data-rcv-item]"))
      .map(setupItem)
      .filter(Boolean);
    var button = form.querySelector("[data-receive-all]");
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        items.forEach(function (item) {
          item.receiveAll();
        });
        var first = form.querySelector("input.rcv-received");
        if (first) {
          first.focus();
        }
      });
    }
    var error = document.querySelector(".rcv-receive .errorlist");
    if (error) {
      var field = error.parentElement.querySelector("input:not([type=hidden]), select");
      if (field) {
        field.focus();
      }
    }
  }

  function setupSearch(input) {
    input.addEventListener("focus", function () {
      input.select();
    });
    if (document.activeElement === input) {
      input.select();
    }
  }

  function start() {
    var form = document.getElementById("rcv-form");
    if (form) {
      setupReceiving(form);
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-select-on-focus]"), setupSearch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
