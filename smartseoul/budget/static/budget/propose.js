// The budget proposal form: the type explanations, a map pin that fills the hidden latitude and
// longitude (and the district select), the search for the adopted Democracy Seoul proposal, and
// the cost written as people read it. No inline script (strict CSP); Leaflet from static files.
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  if (!form) { return; }
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var district = document.getElementById("id_district_code");
  var pinStatus = document.getElementById("pin-status");
  var clearPin = document.getElementById("clear-pin");
  var korean = form.getAttribute("data-lang") !== "en";
  var map = null, marker = null;

  // --- the proposal type: the Democracy Seoul search only for a Democracy Seoul connection ----
  var democracyBox = document.getElementById("democracy-box");
  function showDemocracy() {
    var checked = form.querySelector("input[name=proposal_type]:checked");
    democracyBox.hidden = !(checked && checked.value === "democracy");
  }
  form.querySelectorAll("input[name=proposal_type]").forEach(function (el) { el.addEventListener("change", showDemocracy); });
  showDemocracy();

  // --- the map pin --------------------------------------------------------------------------
  function placeName(data) {
    if (!korean) { return data.district_name_en || data.district_name_ko; }
    return data.district_name_ko + (data.neighborhood_name_ko ? " " + data.neighborhood_name_ko : "");
  }
  function locate(lat, lon) {
    var url = form.getAttribute("data-locate-url");
    if (!url) { return; }
    fetch(url + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { pinStatus.textContent = form.getAttribute("data-msg-outside"); return; }
        if (district) { district.value = data.district_code; }
        pinStatus.textContent = form.getAttribute("data-msg-pinned") + " " + placeName(data);
      })
      .catch(function () { /* the district can still be chosen by hand */ });
  }
  function setPin(lat, lon) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (map) {
      if (!marker) { marker = window.L.marker([lat, lon]).addTo(map); } else { marker.setLatLng([lat, lon]); }
    }
    clearPin.hidden = false;
    locate(latInput.value, lonInput.value);
  }
  var mapEl = document.getElementById("pick-map");
  if (window.L && mapEl) {
    map = window.L.map(mapEl).setView([37.5665, 126.978], 11);
    window.L.tileLayer(form.getAttribute("data-tile-url"), {
      maxZoom: 19, attribution: form.getAttribute("data-attribution")
    }).addTo(map);
    map.on("click", function (e) { setPin(e.latlng.lat, e.latlng.lng); });
    if (latInput.value && lonInput.value) {
      var lat = Number(latInput.value), lon = Number(lonInput.value);
      marker = window.L.marker([lat, lon]).addTo(map);
      map.setView([lat, lon], 15);
      locate(lat, lon);
    }
  } else if (mapEl) {
    mapEl.hidden = true;
  }
  clearPin.addEventListener("click", function () {
    latInput.value = ""; lonInput.value = "";
    if (marker && map) { map.removeLayer(marker); marker = null; }
    pinStatus.textContent = "";
    clearPin.hidden = true;
  });

  // --- the Democracy Seoul search ---------------------------------------------------------------
  var search = document.getElementById("democracy-search");
  var results = document.getElementById("democracy-results");
  var chosen = document.getElementById("democracy-chosen");
  var hidden = document.getElementById("id_democracy_proposal_id");
  var searchUrl = form.getAttribute("data-search-url");
  var timer = null;
  function choose(p) {
    hidden.value = String(p.id);
    chosen.textContent = "";
    var a = document.createElement("a");
    a.href = p.url; a.textContent = p.title; a.id = "democracy-chosen-link";
    chosen.appendChild(a);
    chosen.hidden = false;
    results.textContent = "";
    var err = document.getElementById("democracy-error");
    if (err) { err.remove(); }
  }
  function show(items) {
    results.textContent = "";
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "muted"; none.textContent = form.getAttribute("data-msg-none");
      results.appendChild(none);
      return;
    }
    items.forEach(function (p) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.className = "democracy-result"; b.setAttribute("data-id", String(p.id));
      b.textContent = form.getAttribute("data-msg-choose") + ": " + p.title +
        (p.budget_reference ? " (" + form.getAttribute("data-msg-linked") + ")" : "");
      b.disabled = Boolean(p.budget_reference);
      b.addEventListener("click", function () { choose(p); });
      li.appendChild(b);
      results.appendChild(li);
    });
  }
  function run() {
    var q = search.value.trim();
    if (!searchUrl) { return; }
    fetch(searchUrl + "?limit=10&q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(show)
      .catch(function () { results.textContent = ""; });
  }
  if (search) {
    if (!searchUrl) { search.disabled = true; }
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
    search.addEventListener("focus", function () { if (!results.children.length) { run(); } });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); run(); } });
  }

  // --- the cost in words ----------------------------------------------------------------------------
  var cost = document.getElementById("id_requested_cost");
  var words = document.getElementById("cost-words");
  function won(n) { return window.smartseoulWon(n, korean); }
  if (cost && words) {
    cost.addEventListener("input", function () {
      var n = Number(cost.value);
      words.textContent = cost.value && Number.isInteger(n) && n > 0 ? "= " + won(n) : "";
    });
  }
})();
