// A small map around a report's approximate (rounded) position.
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.L) { return; }
  var lat = parseFloat(el.getAttribute("data-lat")), lon = parseFloat(el.getAttribute("data-lon"));
  var map = window.L.map(el, { scrollWheelZoom: false }).setView([lat, lon], 16);
  window.L.tileLayer(el.getAttribute("data-tile-url"), { maxZoom: 19, attribution: el.getAttribute("data-attribution") }).addTo(map);
  window.L.circle([lat, lon], { radius: 50 }).addTo(map);
})();
