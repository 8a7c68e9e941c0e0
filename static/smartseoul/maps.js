// Every Leaflet map of the platform draws Seoul's district outlines under its own layers, so the
// city's shape stays readable where map tiles are slow or unreachable (an office intranet, a phone
// on a weak signal). Loaded right after leaflet.js; a map whose element says
// data-outlines="off" draws its own districts. The outlines are fetched once per page.
(function () {
  if (!window.L) { return; }
  var url = document.documentElement.getAttribute("data-districts");
  if (!url) { return; }
  var outlines = null;
  window.L.Map.addInitHook(function () {
    var map = this;
    if (map.getContainer().getAttribute("data-outlines") === "off") { return; }
    outlines = outlines || fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
    outlines.then(function (fc) {
      window.L.geoJSON(fc, { interactive: false,
        style: { color: "#58616a", weight: 1, fillColor: "#f4f5f6", fillOpacity: 0.35 } }).addTo(map).bringToBack();
    }).catch(function () { /* a backdrop only: the map's own layers still draw */ });
  });
})();
