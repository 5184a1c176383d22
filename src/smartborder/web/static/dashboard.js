// The dashboard's charts, drawn with the bundled plotly from the JSON the page embeds.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var css = getComputedStyle(document.documentElement);
    function colour(name, fallback) {
      return (css.getPropertyValue(name) || "").trim() || fallback;
    }
    var text = colour("--text", "#1b1f24");
    var grid = colour("--border", "#d8dde3");
    var layout = {
      margin: { l: 48, r: 16, t: 8, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: css.getPropertyValue("font-family"), size: 12, color: text },
      xaxis: { gridcolor: grid, linecolor: grid, automargin: true },
      yaxis: { gridcolor: grid, linecolor: grid, rangemode: "tozero", automargin: true },
      legend: { orientation: "h", y: 1.12, x: 0 },
      showlegend: false,
      bargap: 0.3
    };
    var config = { displayModeBar: false, responsive: true };
    function withLayout(extra) {
      return Object.assign({}, layout, extra, {
        xaxis: Object.assign({}, layout.xaxis, (extra || {}).xaxis),
        yaxis: Object.assign({}, layout.yaxis, (extra || {}).yaxis)
      });
    }
    function empty(id) {
      var node = document.getElementById(id);
      node.textContent = "No data yet.";
      node.classList.add("no-data");
    }

    if (data.lanes.lane.length) {
      Plotly.newPlot("chart-lanes", [{
        type: "bar", x: data.lanes.lane, y: data.lanes.count,
        marker: { color: data.lanes.lane.map(function (lane) { return colour("--lane-" + lane, "#888"); }) },
        hovertemplate: "%{x}: %{y:,}<extra></extra>"
      }], withLayout(), config);
    } else {
      empty("chart-lanes");
    }

    var days = data.daily.date;
    if (days.length) {
      Plotly.newPlot("chart-daily", [
        { type: "bar", name: "selected", x: days, y: data.daily.selected, marker: { color: colour("--lane-yellow", "#f3c623"), opacity: 0.55 } },
        { type: "scatter", mode: "lines", name: "inspected", x: days, y: data.daily.inspected, line: { color: colour("--accent", "#1f5fa8"), width: 2 } },
        { type: "scatter", mode: "lines", name: "found", x: days, y: data.daily.found, line: { color: colour("--lane-red", "#b3261e"), width: 2 } }
      ], withLayout({ showlegend: true, margin: { l: 48, r: 16, t: 28, b: 40 } }), config);
      Plotly.newPlot("chart-hit-rate", [{
        type: "scatter", mode: "lines+markers", x: days, y: data.daily.hit_rate, connectgaps: false,
        line: { color: colour("--lane-green", "#2e7d32"), width: 2 }, marker: { size: 4 },
        hovertemplate: "%{x}: %{y:.0%}<extra></extra>"
      }], withLayout({ xaxis: { range: [days[0], days[days.length - 1]] }, yaxis: { tickformat: ".0%", range: [0, 1.05], rangemode: "normal" } }), config);
    } else {
      empty("chart-daily");
      empty("chart-hit-rate");
    }

    if (data.detections.kind.length) {
      Plotly.newPlot("chart-detections", [{
        type: "bar", orientation: "h", y: data.detections.kind.map(function (k) { return k.replace(/_/g, " "); }), x: data.detections.count,
        marker: { color: colour("--accent", "#1f5fa8") }, hovertemplate: "%{y}: %{x:,}<extra></extra>"
      }], withLayout({ yaxis: { autorange: "reversed", rangemode: "normal" }, margin: { l: 140, r: 16, t: 8, b: 40 } }), config);
    } else {
      empty("chart-detections");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
