/* The returns dashboard's charts (templates/admin/dashboard.html), drawn with the vendored
   Chart.js from the figures the page carries in #dashboard-charts. Each canvas names its chart
   in data-chart; the table under it holds the same figures, so the page says everything
   without this script. Colours come from the admin's theme (light or dark). */
(function () {
  "use strict";

  // Enough distinct colours for the breakdowns (states, modes, reasons, warehouses).
  var PALETTE = [
    "#417690", "#79aec8", "#e6a23c", "#4c9a2a", "#ba2121",
    "#8e6bb8", "#2a9d8f", "#c06c84", "#6c757d", "#b5838d", "#264653",
  ];

  function themeColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function options(chart, horizontal) {
    var common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion() ? false : { duration: 400 },
      plugins: { legend: { display: chart.kind === "doughnut", position: "right" } },
    };
    if (chart.kind === "doughnut") {
      // Each slice's share of the whole, next to its figure.
      common.plugins.tooltip = {
        callbacks: {
          label: function (context) {
            var total = context.dataset.data.reduce(function (sum, value) { return sum + value; }, 0);
            var share = total ? (100 * context.parsed / total).toFixed(1) : "0.0";
            return " " + context.parsed + " (" + share + " %)";
          },
        },
      };
      return common;
    }
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
    var labelAxis = { ticks: { autoSkip: true, maxRotation: 0 } };
    common.indexAxis = horizontal ? "y" : "x";
    common.scales = horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis };
    return common;
  }

  function config(chart, key) {
    var horizontal = chart.kind === "bar" && key !== "per-day";
    var colours = chart.colours || chart.labels.map(function (_, index) {
      return PALETTE[index % PALETTE.length];
    });
    return {
      type: chart.kind,
      data: {
        labels: chart.labels,
        datasets: [{
          label: chart.name,
          data: chart.values,
          backgroundColor: key === "per-day" ? themeColour("--secondary", PALETTE[0]) : colours,
          borderColor: chart.kind === "doughnut" ? themeColour("--body-bg", "#fff") : undefined,
        }],
      },
      options: options(chart, horizontal),
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    window.Chart.defaults.color = themeColour("--body-quiet-color", "#666");
    window.Chart.defaults.borderColor = themeColour("--hairline-color", "#e8e8e8");
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var key = canvas.getAttribute("data-chart");
      if (charts[key]) {
        new window.Chart(canvas, config(charts[key], key));
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
