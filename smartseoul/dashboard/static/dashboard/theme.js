// A theme map's places on a map; while editing, tapping the map fills in the new place's position.
(function () {
  var el = document.getElementById("theme-map");
  if (!el || !window.L) { return; }
  var fc = JSON.parse(document.getElementById("theme-geojson").textContent || "{}");
  var map = L.map(el).setView([37.5665, 126.978], 11);
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var color = el.dataset.color || "#b3261e";
  var layer = L.geoJSON(fc, {
    pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.95 }); },
    onEachFeature: function (f, l) {
      var box = document.createElement("div");
      var t = document.createElement("strong"); t.textContent = f.properties.title; box.appendChild(t);
      if (f.properties.description) { var d = document.createElement("div"); d.textContent = f.properties.description; box.appendChild(d); }
      l.bindPopup(box);
    }
  }).addTo(map);
  if (fc.features && fc.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [20, 20] }); }
  if (el.dataset.pick === "1") {
    var pick = null;
    map.on("click", function (e) {
      var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
      if (!lat || !lon) { return; }
      lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6);
      if (pick) { map.removeLayer(pick); }
      pick = L.marker(e.latlng).addTo(map);
    });
  }
})();
