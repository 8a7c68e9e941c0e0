// Information around me: the browser's location (or a tapped point) → the nearest items of the
// chosen layers, as a list (server-rendered, htmx) and as markers on the map.
(function () {
  var form = document.getElementById("around-form");
  var el = document.getElementById("around-map");
  if (!form || !el || !window.L) { return; }
  var latInput = document.getElementById("around-lat"), lonInput = document.getElementById("around-lon");
  var status = document.getElementById("locate-status");
  var start = [parseFloat(latInput.value) || 37.5665, parseFloat(lonInput.value) || 126.978];
  var map = L.map(el).setView(start, latInput.value ? 15 : 12);
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var here = null, circle = null, markers = L.layerGroup().addTo(map);

  function submit() {
    if (!latInput.value) { return; }
    if (window.htmx) { window.htmx.trigger(form, "submit"); } else { form.submit(); }
  }
  function choose(lat, lon, zoom) {
    latInput.value = lat.toFixed(6); lonInput.value = lon.toFixed(6);
    if (here) { map.removeLayer(here); }
    here = L.circleMarker([lat, lon], { radius: 9, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map);
    if (zoom) { map.setView([lat, lon], zoom); }
    submit();
  }
  // A place's name is text written by whoever made the layer: it goes in as a text node, never as HTML.
  function label(name) {
    var box = document.createElement("strong");
    box.textContent = name || "";
    return box;
  }
  function draw() {
    markers.clearLayers();
    if (circle) { map.removeLayer(circle); circle = null; }
    var radius = parseInt(document.getElementById("radius").value, 10);
    if (latInput.value) {
      circle = L.circle([parseFloat(latInput.value), parseFloat(lonInput.value)], { radius: radius, color: "#0b4ea2", weight: 1, fillOpacity: 0.05 }).addTo(map);
    }
    var bounds = [];
    document.querySelectorAll("#around-results li[data-lat]").forEach(function (li) {
      var ll = [parseFloat(li.dataset.lat), parseFloat(li.dataset.lon)];
      bounds.push(ll);
      // A tap on a result opens its name; it does not reach the map, which would search again from there.
      L.circleMarker(ll, { radius: 7, color: "#fff", weight: 2, fillColor: li.dataset.color || "#0b4ea2", fillOpacity: 0.95,
                           className: "around-item", bubblingMouseEvents: false })
        .bindPopup(label(li.dataset.name)).addTo(markers);
    });
    if (circle) { map.fitBounds(circle.getBounds(), { maxZoom: 17 }); }
    el.dataset.markers = String(bounds.length);
  }
  map.on("click", function (e) { choose(e.latlng.lat, e.latlng.lng, null); });
  document.getElementById("locate-me").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = form.dataset.noGeo; return; }
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      status.textContent = "";
      choose(pos.coords.latitude, pos.coords.longitude, 15);
    }, function () {
      status.textContent = form.dataset.geoFailed;
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
  form.querySelectorAll("input[name=layer], select[name=radius]").forEach(function (input) {
    input.addEventListener("change", submit);
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "around-results") { draw(); }
  });
  if (latInput.value) {
    here = L.circleMarker(start, { radius: 9, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map);
  }
  draw();
})();
