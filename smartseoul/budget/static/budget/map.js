// Results map: the cycle's projects as points (green = funded), from a JSON script element.
(function () {
  "use strict";
  var el = document.getElementById("budget-map");
  var data = document.getElementById("budget-geojson");
  if (!el || !data || typeof L === "undefined") { return; }
  var fc = JSON.parse(data.textContent);
  var map = L.map(el).setView([37.5665, 126.978], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  var layer = L.geoJSON(fc, {
    pointToLayer: function (f, latlng) {
      var funded = f.properties.status === "funded";
      return L.circleMarker(latlng, { radius: 8, color: funded ? "#2a7d4f" : "#6b7785", fillOpacity: 0.7 });
    },
    onEachFeature: function (f, lyr) {
      var a = document.createElement("a");
      a.href = f.properties.url;
      a.textContent = f.properties.title;
      var p = document.createElement("div");
      p.appendChild(a);
      if (f.properties.votes !== undefined) { p.appendChild(document.createTextNode(" · " + f.properties.votes.toLocaleString())); }
      lyr.bindPopup(p);
    }
  }).addTo(map);
  if (fc.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 14, padding: [20, 20] }); }
})();
