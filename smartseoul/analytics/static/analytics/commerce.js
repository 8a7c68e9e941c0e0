// The start-up traffic light map: one circle per neighbourhood coloured by its light; a tap
// fills the "analyse my store" form with the position.
(function () {
  "use strict";
  var el = document.getElementById("commerce-map");
  var data = document.getElementById("commerce-data");
  if (!el || !data || typeof L === "undefined") return;
  var rows = JSON.parse(data.textContent);
  var colours = ["#2b8a3e", "#f08c00", "#e8590c", "#c92a2a"];
  var map = L.map(el).setView([37.5665, 126.978], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  function text(s) { var span = document.createElement("span"); span.textContent = s; return span; }  // never HTML
  rows.forEach(function (r) {
    var c = r.light === null ? "#868e96" : colours[r.light];
    L.circleMarker([r.lat, r.lon], { radius: 5 + Math.min(10, Math.sqrt(r.stores)), color: c, fillColor: c, fillOpacity: 0.6, weight: 1 })
      .bindTooltip(text(r.name + " · " + r.stores)).addTo(map);
  });
  var marker = null;
  map.on("click", function (e) {
    var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
    if (lat && lon) { lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); }
    if (marker) marker.setLatLng(e.latlng); else marker = L.marker(e.latlng).addTo(map);
  });
})();
