// Smart Seoul Map: a catalogue of layers toggled on one Leaflet map. Clusters and heat maps are
// computed on the server for the current view (bbox + zoom), so a phone never receives
// 100,000 points. The view (layers, centre, zoom, mode) lives in the URL: share and embed links.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var view = JSON.parse(document.getElementById("map-view").textContent || "{}");
  var catalogue = JSON.parse(document.getElementById("map-catalogue").textContent || "[]");
  var byKey = {};
  catalogue.forEach(function (c) { byKey[c.key] = c; });
  var embed = el.dataset.embed === "1";
  var lat = parseFloat(view.lat), lon = parseFloat(view.lon), z = parseInt(view.z, 10);
  var map = L.map(el, { preferCanvas: false }).setView(
    [isFinite(lat) ? lat : 37.5665, isFinite(lon) ? lon : 126.978], isFinite(z) ? z : 11);
  L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var shown = {};
  var requests = {};
  el.dataset.loaded = "0";

  function mode() {
    var checked = document.querySelector("input[name=mode]:checked");
    return checked ? checked.value : (view.mode || "cluster");
  }
  function activeKeys() {
    return Array.prototype.map.call(document.querySelectorAll("input[name=layer]:checked"), function (i) { return i.value; });
  }
  function colour(key) { var c = byKey[key]; return (c && c.style && c.style.color) || "#0b4ea2"; }

  function popup(props, key) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = props.title || props.name_ko || props.name || (byKey[key] ? byKey[key].title : key);
    box.appendChild(title);
    if (props.name_en && document.documentElement.lang === "en") { title.textContent = props.name_en; }
    // a status by its label in the page's language (`status_label`), never its code
    ["description", "address", "status_label", "category"].forEach(function (name) {
      if (props[name]) { var p = document.createElement("div"); p.textContent = props[name]; box.appendChild(p); }
    });
    if (typeof props.photo === "string" && props.photo.charAt(0) === "/") {
      var img = document.createElement("img");
      img.src = props.photo; img.alt = title.textContent; img.className = "popup-photo";
      box.appendChild(img);
    }
    return box;
  }

  function render(key, fc) {
    if (shown[key]) { map.removeLayer(shown[key]); }
    var color = colour(key);
    shown[key] = L.geoJSON(fc, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties || {};
        if (p.cluster) {
          var size = Math.min(60, 24 + Math.round(Math.log(p.count) * 5));
          var marker = L.marker(latlng, { icon: L.divIcon({ html: String(Number(p.count)), className: "cluster-icon",
            iconSize: [size, size] }), keyboard: true, title: p.count + "" });
          marker.on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 19)); });
          return marker;
        }
        return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 2, fillColor: color, fillOpacity: 0.9 });
      },
      style: function (feature) {
        var p = feature.properties || {};
        if (p.intensity !== undefined) {
          return { color: color, weight: 0.5, fillColor: color, fillOpacity: 0.15 + 0.7 * p.intensity };
        }
        return { color: p.stroke || color, weight: 2, fillColor: p.fill || color, fillOpacity: p["fill-opacity"] || 0.3 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties || {};
        if (!p.cluster) { layer.bindPopup(function () { return popup(p, key); }); }
      }
    }).addTo(map);
    el.dataset.loaded = String(Object.keys(shown).length);
    el.dataset["features_" + key.replace(/[^a-z0-9]/gi, "_")] = String(fc.features.length);
  }

  function load(key) {
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
    var url = el.dataset.layerBase + encodeURIComponent(key) + ".geojson?bbox=" + bbox + "&zoom=" + map.getZoom() + "&mode=" + mode();
    if (requests[key]) { requests[key].abort(); }
    var ctrl = new AbortController();
    requests[key] = ctrl;
    fetch(url, { signal: ctrl.signal, headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (fc) { if (activeKeys().indexOf(key) >= 0) { render(key, fc); } })
      .catch(function () { /* aborted by a newer view, or the layer is unavailable for now */ });
  }

  function share() {
    var c = map.getCenter();
    var params = new URLSearchParams();
    var keys = activeKeys();
    params.set("layers", keys.join(","));  // empty when none: the link reopens without the first-shown layers
    params.set("lat", c.lat.toFixed(5)); params.set("lon", c.lng.toFixed(5)); params.set("z", map.getZoom());
    if (mode() !== "cluster") { params.set("mode", mode()); }
    var query = "?" + params.toString().replace(/%2C/g, ",");
    var link = document.getElementById("share-link");
    if (link) { link.value = location.origin + el.dataset.pageUrl + query; }
    var code = document.getElementById("embed-code");
    if (code) {
      code.value = '<iframe src="' + location.origin + el.dataset.embedUrl + query +
        '" width="100%" height="480" style="border:0" loading="lazy" title="' + (el.dataset.embedTitle || "").replace(/[&"<>]/g, "") + '"></iframe>';
    }
    if (!embed) { history.replaceState(null, "", el.dataset.pageUrl + query); }
  }

  // The legend: every active layer with its colour; a layer drawn by value (heat map, hexagons
  // with an intensity) gets its light-to-dark scale with the layer's own legend text.
  var legend = L.control({ position: "bottomleft" });
  var legendBox = null;
  legend.onAdd = function () { legendBox = L.DomUtil.create("div", "map-legend"); legendBox.hidden = true; return legendBox; };
  legend.addTo(map);
  function byValue(key) {
    var c = byKey[key] || {};
    var kind = (c.style && c.style.kind) || "point";
    return mode() === "heat" || kind === "heat" || kind === "hexagon" || (c.style && c.style.property === "intensity");
  }
  function drawLegend() {
    if (!legendBox) { return; }
    var keys = activeKeys();
    legendBox.textContent = "";
    legendBox.hidden = keys.length === 0;
    if (!keys.length) { return; }
    var title = document.createElement("strong");
    title.textContent = el.dataset.legendTitle || "";
    legendBox.appendChild(title);
    var list = document.createElement("ul");
    keys.forEach(function (key) {
      var c = byKey[key] || { title: key };
      var li = document.createElement("li");
      var color = colour(key);
      if (byValue(key)) {
        li.appendChild(document.createTextNode(c.title + " "));
        var low = document.createElement("span"); low.textContent = el.dataset.low || ""; li.appendChild(low);
        var bar = document.createElement("span");
        bar.className = "legend-ramp";
        var full = /^#[0-9a-f]{3}$/i.test(color) ? "#" + color[1] + color[1] + color[2] + color[2] + color[3] + color[3] : color;
        bar.style.background = "linear-gradient(to right, " + full + "26, " + full + ")";
        li.appendChild(bar);
        var high = document.createElement("span"); high.textContent = el.dataset.high || ""; li.appendChild(high);
        var kind = (c.style && c.style.kind) || "point";
        var note = (c.legend && c.legend.intensity) || (kind === "point" || kind === "heat" ? el.dataset.heatNote : "") || "";
        if (note) { var small = document.createElement("div"); small.className = "muted"; small.textContent = note; li.appendChild(small); }
      } else {
        var sw = document.createElement("span");
        sw.className = "swatch"; sw.style.background = color;
        li.appendChild(sw);
        li.appendChild(document.createTextNode(c.title));
      }
      li.dataset.layer = key;
      list.appendChild(li);
    });
    legendBox.appendChild(list);
  }

  function refresh() {
    var keys = activeKeys();
    drawLegend();
    Object.keys(shown).forEach(function (key) {
      if (keys.indexOf(key) < 0) { map.removeLayer(shown[key]); delete shown[key]; }
    });
    keys.forEach(load);
    share();
  }

  map.on("moveend", refresh);
  document.querySelectorAll("input[name=layer], input[name=mode]").forEach(function (input) {
    input.addEventListener("change", refresh);
  });
  var filter = document.getElementById("layer-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      document.querySelectorAll(".layer-row").forEach(function (row) {
        row.hidden = q !== "" && row.dataset.title.indexOf(q) < 0;
      });
    });
  }
  var copy = document.getElementById("copy-link");
  if (copy) {
    copy.addEventListener("click", function () {
      var link = document.getElementById("share-link");
      link.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(link.value); }
    });
  }
  refresh();
})();
