/* Open Data Plaza: chart builder, dataset map, statistics charts. No inline scripts (CSP). */
(function () {
  "use strict";

  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }

  // Plotly's own toolbar: only "download as PNG" (no upload to a chart cloud), titled in the page's language.
  var KO = { moduleType: "locale", name: "ko", dictionary: { "Download plot as a PNG": "차트를 PNG 그림으로 내려받기",
    "Download plot": "차트 내려받기", "Double-click to zoom back out": "두 번 눌러 원래 크기로" }, format: {} };
  var registered = false;
  function plotConfig() {
    if (!registered && window.Plotly) { window.Plotly.register(KO); registered = true; }
    return { responsive: true, displaylogo: false, modeBarButtons: [["toImage"]],
      locale: (document.documentElement.lang || "ko").slice(0, 2) };
  }

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
        }, plotConfig());
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
          var tip = document.createElement("span");  // a dataset's labels are data: text, never HTML
          tip.textContent = String(p.label || p.name || "") + (p.count !== undefined ? ": " + p.count : "");
          l.bindTooltip(tip);
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
    var axes = d.axes || {};
    var layout = { margin: { t: 20, r: 10, l: 60, b: 80 }, barmode: "stack",
      xaxis: { title: { text: axes.day }, automargin: true }, yaxis: { title: { text: axes.uses }, automargin: true } };
    window.Plotly.newPlot("stats-daily", [
      { type: "bar", name: d.names.views, x: d.days, y: d.views },
      { type: "bar", name: d.names.downloads, x: d.days, y: d.downloads },
      { type: "bar", name: d.names.api_calls, x: d.days, y: d.api_calls }
    ], layout, plotConfig());
    window.Plotly.newPlot("stats-category", [{ type: "bar", x: d.categories, y: d.category_totals }],
      { margin: { t: 20, r: 10, l: 60, b: 120 }, xaxis: { title: { text: axes.category }, automargin: true },
        yaxis: { title: { text: axes.uses }, automargin: true } }, plotConfig());
  }

  function setupAutosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }

  // The catalogue's filters: folded on a phone (the results come first), open on a wide screen.
  function setupFacets() {
    if (!window.matchMedia("(min-width: 900px)").matches) { return; }
    document.querySelectorAll("details.od-facet").forEach(function (d) { d.open = true; });
  }

  ready(function () { setupChart(); setupMap(); setupStats(); setupAutosubmit(); setupFacets(); });
}());
