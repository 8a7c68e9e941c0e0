/* Open Data Plaza: chart builder, dataset map, statistics charts. No inline scripts (CSP). */
(function () {
  "use strict";

  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }

  function drawChart(form) {
    var target = document.getElementById("chart");
    var params = new URLSearchParams(new FormData(form));
    var kind = params.get("kind") || "bar";
    params.delete("kind");
    fetch(form.dataset.url + "?" + params.toString(), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.error) { target.textContent = data.error.message; return; }
        var trace = kind === "pie" ? { type: "pie", labels: data.x, values: data.y }
          : { type: kind === "line" ? "scatter" : "bar", mode: kind === "line" ? "lines+markers" : undefined, x: data.x.map(String), y: data.y };
        window.Plotly.newPlot(target, [trace], {
          margin: { t: 20, r: 10, l: 60, b: 90 }, xaxis: { title: { text: data.x_label }, automargin: true },
          yaxis: { title: { text: data.y_label }, automargin: true }
        }, { responsive: true, displaylogo: false });
        target.setAttribute("data-drawn", String(data.x.length));
      })
      .catch(function () { target.textContent = "—"; });
  }

  function setupChart() {
    var form = document.getElementById("chart-form");
    if (!form) { return; }
    form.addEventListener("submit", function (e) { e.preventDefault(); drawChart(form); });
    if (form.hasAttribute("data-autodraw") && window.Plotly) { drawChart(form); }
  }

  function setupMap() {
    var el = document.getElementById("od-map");
    if (!el || !window.L) { return; }
    var map = window.L.map(el).setView([37.5665, 126.978], 11);
    window.L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
    fetch(el.dataset.url).then(function (r) { return r.json(); }).then(function (geo) {
      var max = 1;
      geo.features.forEach(function (f) { if (f.properties && f.properties.count > max) { max = f.properties.count; } });
      var layer = window.L.geoJSON(geo, {
        pointToLayer: function (f, latlng) { return window.L.circleMarker(latlng, { radius: 5, color: "#0b4ea2" }); },
        style: function (f) {
          var c = (f.properties && f.properties.count) || 0;
          return { color: "#0b4ea2", weight: 1, fillOpacity: 0.1 + 0.6 * c / max };
        },
        onEachFeature: function (f, l) {
          var p = f.properties || {};
          l.bindTooltip(String(p.label || p.name || "") + (p.count !== undefined ? ": " + p.count : ""));
        }
      }).addTo(map);
      if (geo.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 15 }); }
      el.setAttribute("data-features", String(geo.features.length));
    });
  }

  function setupStats() {
    var node = document.getElementById("stats-data");
    if (!node || !window.Plotly) { return; }
    var d = JSON.parse(node.textContent);
    var layout = { margin: { t: 20, r: 10, l: 50, b: 80 }, barmode: "stack" };
    window.Plotly.newPlot("stats-daily", [
      { type: "bar", name: "views", x: d.days, y: d.views },
      { type: "bar", name: "downloads", x: d.days, y: d.downloads },
      { type: "bar", name: "API", x: d.days, y: d.api_calls }
    ], layout, { responsive: true, displaylogo: false });
    window.Plotly.newPlot("stats-category", [{ type: "bar", x: d.categories, y: d.category_totals }],
      { margin: { t: 20, r: 10, l: 50, b: 120 } }, { responsive: true, displaylogo: false });
  }

  function setupAutosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  ready(function () { setupChart(); setupMap(); setupStats(); setupAutosubmit(); });
}());
