// Citizens' Talk Map: server-side clusters (or H3 heat hexagons) reloaded on every move or filter.
(function () {
  "use strict";
  var el = document.getElementById("talk-map");
  var form = document.getElementById("map-filters");
  if (!el || !form || !window.L) { return; }
  // ?report=NUMBER&lat=…&lon=… (the "See it on the Talk Map" link of a report): open at street level
  // on that place, with that report's marker open.
  var query = new URLSearchParams(window.location.search);
  var focus = query.get("report") || "";
  var focusLat = parseFloat(query.get("lat")), focusLon = parseFloat(query.get("lon"));
  var hasFocus = isFinite(focusLat) && isFinite(focusLon) && Math.abs(focusLat) <= 90 && Math.abs(focusLon) <= 180;
  var map = window.L.map(el).setView(hasFocus ? [focusLat, focusLon] : [37.5665, 126.978], hasFocus ? 18 : 11);
  window.L.tileLayer(el.getAttribute("data-tile-url"), { maxZoom: 19, attribution: el.getAttribute("data-attribution") }).addTo(map);
  var layer = window.L.layerGroup().addTo(map);
  var colours = {};  // each status's colour, as the legend beside the map shows it
  document.querySelectorAll("#talk-legend [data-status]").forEach(function (li) {
    colours[li.getAttribute("data-status")] = li.getAttribute("data-colour");
  });
  function params() {
    var p = new URLSearchParams(new FormData(form));
    var b = map.getBounds();
    p.set("zoom", map.getZoom());
    p.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
    return p;
  }
  function load() {
    var p = params();
    fetch(form.getAttribute("data-geojson-url") + "?" + p.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        layer.clearLayers();
        el.setAttribute("data-features", String(fc.features.length));
        fc.features.forEach(function (f) {
          var props = f.properties || {};
          if (f.geometry.type === "Polygon") {
            var ring = f.geometry.coordinates[0].map(function (c) { return [c[1], c[0]]; });
            window.L.polygon(ring, { stroke: false, fillColor: "#d33", fillOpacity: 0.15 + 0.6 * (props.intensity || 0) })
              .bindTooltip(String(Number(props.count))).addTo(layer);
            return;
          }
          var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          if (props.cluster) {
            var size = 24 + Math.min(36, Math.log(props.count) * 6);
            window.L.marker(ll, { icon: window.L.divIcon({ className: "cluster", html: "<span>" + Number(props.count) + "</span>",
              iconSize: [size, size] }), keyboard: true, title: String(props.count) })
              .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); }).addTo(layer);
          } else {
            var m = window.L.circleMarker(ll, { radius: 7, color: colours[props.status] || "#333", weight: 2, fillOpacity: 0.7 });
            var link = document.createElement("a");
            link.href = props.url; link.textContent = props.number + " · " + props.category;
            var isFocus = focus !== "" && props.number === focus;
            m.bindPopup(link, { autoPan: !isFocus }).addTo(layer);  // the map is already centred on it
            if (isFocus) { m.openPopup(); focus = ""; }
          }
        });
      });
  }
  map.on("moveend", load);
  form.addEventListener("change", load);
  load();
})();
