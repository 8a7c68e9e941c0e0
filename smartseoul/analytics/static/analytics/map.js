// Result maps of analytics jobs: plan routes (line width = riders), OD arcs (with an hour slider),
// density hexagons and siting results. Data comes from the job's GeoJSON URL (no inline script).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el, { preferCanvas: false }).setView([37.5665, 126.978], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  var palette = ["#5f3dc4", "#d9480f", "#2b8a3e", "#1864ab", "#c2255c", "#e67700", "#0b7285", "#862e9c",
                 "#5c940d", "#a61e4d"];
  var kind = el.dataset.kind;

  function text(s) { var span = document.createElement("span"); span.textContent = s; return span; }  // never HTML

  function heat(t) {
    var r = Math.round(255), g = Math.round(220 - 170 * t), b = Math.round(120 - 120 * t);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  fetch(el.dataset.geojsonUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var layer;
    if (kind === "plan") {
      layer = L.geoJSON(fc, {
        filter: function (f) { return f.properties.kind !== "route"; },
        style: function (f) {
          if (f.properties.kind === "stop") {
            return { radius: 3, color: "#222", weight: 1, fillColor: "#fff", fillOpacity: 1, className: "route-stop" };
          }
          return { color: palette[(f.properties.route - 1) % palette.length], weight: f.properties.width,
                   opacity: 0.85, lineCap: "round", className: "route-segment route-" + f.properties.route };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 3, color: "#222", weight: 1, fillColor: "#fff", fillOpacity: 1 });
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(text(p.kind === "segment" ? "N" + p.route + ": " + p.riders : "N" + p.route + " · " + p.stop));
        }
      });
    } else if (kind === "od") {
      var slider = document.getElementById("hour");
      var label = document.getElementById("hour-label");
      var top = 1;
      fc.features.forEach(function (f) { top = Math.max(top, f.properties.trips); });
      layer = L.geoJSON(fc, {
        style: function (f) { return { color: "#1864ab", weight: f.properties.width, opacity: 0.6, className: "od-arc" }; },
        onEachFeature: function (f, l) { l.bindTooltip(text(f.properties.origin_district + " → " + f.properties.dest_district + ": " + f.properties.trips)); }
      });
      if (slider) {
        slider.addEventListener("input", function () {
          var h = parseInt(slider.value, 10);
          label.textContent = h < 0 ? el.dataset.allLabel : (h + ":00");
          var hourTop = 1;
          if (h >= 0) fc.features.forEach(function (f) { hourTop = Math.max(hourTop, f.properties.by_hour[h]); });
          layer.eachLayer(function (l) {
            var p = l.feature.properties;
            var v = h < 0 ? p.trips : p.by_hour[h];
            var t = h < 0 ? top : hourTop;
            l.setStyle({ weight: v > 0 ? 1 + 11 * v / t : 0, opacity: v > 0 ? 0.6 : 0 });
          });
        });
      }
    } else if (kind === "siting") {
      layer = L.geoJSON(fc, {
        style: function (f) {
          return { color: f.properties.covered ? "#2b8a3e" : "#868e96", weight: 0.5,
                   fillOpacity: f.properties.covered ? 0.35 : 0.15 };
        },
        pointToLayer: function (f, latlng) {
          var group = L.featureGroup([
            L.circle(latlng, { radius: f.properties.radius_m, color: "#c92a2a", weight: 1, fillOpacity: 0.05 }),
            L.circleMarker(latlng, { radius: 6, color: "#c92a2a", fillColor: "#c92a2a", fillOpacity: 1 })
          ]);
          return group;
        }
      });
    } else {
      layer = L.geoJSON(fc, {
        style: function (f) {
          return { color: "#862e9c", weight: 0.3, fillColor: heat(f.properties.intensity), fillOpacity: 0.25 + 0.6 * f.properties.intensity };
        },
        onEachFeature: function (f, l) { l.bindTooltip(text(f.properties.cell + ": " + f.properties.count)); }
      });
    }
    layer.addTo(map);
    try { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); } catch (e) { /* empty result */ }
    el.dataset.loaded = "true";
  });
})();
