// The phone-first reporting flow: category → place (GPS or map pin) → photos/video → description.
// Photos and videos are uploaded the moment they are taken, so the server stamps the capture time.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var latInput = document.getElementById("lat");
  var lonInput = document.getElementById("lon");
  var list = document.getElementById("media-list");
  var errors = document.getElementById("media-errors");
  var pinStatus = document.getElementById("pin-status");
  var submit = document.getElementById("submit-report");
  var pending = 0;
  var map = null, marker = null;
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }  // a refused report: read out its errors, each linked to its field

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { var el = form.querySelector("[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }
  }
  function category() {
    var checked = form.querySelector("input[name=category]:checked");
    return checked ? checked.value : "";
  }
  function showAttributes() {
    var code = category();
    form.querySelectorAll("fieldset.attrs").forEach(function (fs) {
      var on = fs.getAttribute("data-category") === code;
      fs.hidden = !on;
      fs.querySelectorAll("[data-required]").forEach(function (el) { el.required = on; });
    });
  }
  function checkNearby() {
    var code = category();
    if (!code || !latInput.value || !lonInput.value) { return; }
    var url = form.getAttribute("data-nearby-url") + "?category=" + encodeURIComponent(code) +
      "&lat=" + encodeURIComponent(latInput.value) + "&lon=" + encodeURIComponent(lonInput.value);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var box = document.getElementById("nearby");
      box.innerHTML = html;
      if (window.htmx) { window.htmx.process(box); }
    });
  }
  function setPoint(lat, lon, label) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    pinStatus.textContent = label + " " + latInput.value + ", " + lonInput.value;
    if (map && window.L) {
      if (!marker) { marker = window.L.marker([lat, lon]).addTo(map); } else { marker.setLatLng([lat, lon]); }
      map.setView([lat, lon], Math.max(map.getZoom(), 16));
    }
    checkNearby();
  }
  if (window.L && document.getElementById("pick-map")) {
    map = window.L.map("pick-map").setView([37.5665, 126.978], 12);
    window.L.tileLayer(form.getAttribute("data-tile-url"), {
      maxZoom: 19, attribution: form.getAttribute("data-attribution")
    }).addTo(map);
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, form.getAttribute("data-msg-pinned")); });
  }
  document.getElementById("use-gps").addEventListener("click", function () {
    if (!navigator.geolocation) { pinStatus.textContent = form.getAttribute("data-msg-gps"); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      setPoint(pos.coords.latitude, pos.coords.longitude, form.getAttribute("data-msg-located"));
    }, function () { pinStatus.textContent = form.getAttribute("data-msg-gps"); },
    { enableHighAccuracy: true, timeout: 10000 });
  });
  [latInput, lonInput].forEach(function (el) { el.addEventListener("change", checkNearby); });
  form.querySelectorAll("input[name=category]").forEach(function (el) {
    el.addEventListener("change", function () { showAttributes(); checkNearby(); });
  });
  showAttributes();

  function counts() {
    var photos = list.querySelectorAll("li[data-kind=photo]").length;
    var videos = list.querySelectorAll("li[data-kind=video]").length;
    return { photos: photos, videos: videos };
  }
  function addItem(data, file) {
    var li = document.createElement("li");
    li.setAttribute("data-source", data.source);
    li.setAttribute("data-kind", data.kind);
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "media"; hidden.value = data.id;
    li.appendChild(hidden);
    if (data.thumb) {
      var img = document.createElement("img");
      img.src = data.thumb; img.alt = ""; img.width = 64; img.height = 64;
      li.appendChild(img);
    }
    var text = data.source === "capture" ? form.getAttribute("data-msg-capture") : form.getAttribute("data-msg-gallery");
    if (data.captured_at) { text += " · " + new Date(data.captured_at).toLocaleString(document.documentElement.lang || "ko", { timeZone: "Asia/Seoul", dateStyle: "short", timeStyle: "medium" }); }
    if (data.duration_s) { text += " · " + Math.round(data.duration_s) + " s"; }
    li.appendChild(document.createTextNode(" " + (file ? file.name + " · " : "") + text));
    list.appendChild(li);
  }
  function upload(file, source) {
    var isVideo = (file.type || "").indexOf("video") === 0;
    var c = counts();
    if ((isVideo && c.videos >= 1) || (!isVideo && c.photos >= 3)) {
      errors.textContent = form.getAttribute("data-msg-limit");
      return;
    }
    var data = new FormData();
    data.append("file", file);
    data.append("source", source);
    pending += 1; submit.disabled = true;
    fetch(form.getAttribute("data-upload-url"), {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf() }
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (res.ok) { errors.textContent = ""; addItem(res.body, file); }
      else { errors.textContent = (res.body.error && res.body.error.message) || form.getAttribute("data-msg-failed"); }
    }).catch(function () { errors.textContent = form.getAttribute("data-msg-network"); }).finally(function () {
      pending -= 1; if (pending === 0) { submit.disabled = false; }
      form.setAttribute("data-pending", String(pending));
    });
  }
  form.querySelectorAll("input[type=file][data-source]").forEach(function (input) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      files.forEach(function (f) { upload(f, input.getAttribute("data-source")); });
      input.value = "";
    });
  });
  form.addEventListener("submit", function (e) {
    if (pending > 0) { e.preventDefault(); }
  });
})();
