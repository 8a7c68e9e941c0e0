// The live air-quality map: district grades as coloured areas, boxes coloured by their latest
// PM2.5 on the same grade scale, and a legend on the map (grade names, colours, no data).
(function () {
  "use strict";
  const el = document.getElementById("sensor-map");
  const dataEl = document.getElementById("air-map-data");
  if (!el || !dataEl || typeof L === "undefined") { return; }
  const data = JSON.parse(dataEl.textContent);
  const colours = data.colours || {};
  const grades = data.grades || {};
  const labels = data.labels || {};
  const noData = data.no_data || "#bdbdbd";
  const pm25Grade = (v) => {
    if (v == null) { return null; }
    for (const [upper, grade] of data.pm25_bands || []) { if (upper == null || v <= upper) { return grade; } }
    return null;
  };
  const map = L.map(el).setView([37.5665, 126.978], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    const box = L.DomUtil.create("div", "map-legend");
    const title = document.createElement("strong");
    title.textContent = el.dataset.legendTitle;
    box.appendChild(title);
    const list = document.createElement("ul");
    const add = (colour, text) => {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "grade-swatch";
      sw.style.background = colour;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(" " + text));
      list.appendChild(li);
    };
    Object.keys(colours).forEach((k) => add(colours[k], labels[k] || k));
    add(noData, el.dataset.noData);
    box.appendChild(list);
    return box;
  };
  legend.addTo(map);
  fetch(el.dataset.districts).then((r) => r.json()).then((fc) => {
    L.geoJSON(fc, {
      style: (f) => ({ color: "#555", weight: 1, fillOpacity: 0.45,
                       fillColor: colours[grades[f.properties.code]] || noData }),
      onEachFeature: (f, layer) => {
        const tip = document.createElement("span");  // names are text, never HTML
        tip.textContent = `${(data.names || {})[f.properties.code] || f.properties.name_ko}: ${labels[grades[f.properties.code]] || "–"}`;
        layer.bindTooltip(tip);
      },
    }).addTo(map);
    el.dataset.districtsDrawn = String(fc.features.length);
  });
  fetch(el.dataset.boxes).then((r) => r.json()).then((fc) => {
    L.geoJSON(fc, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, weight: 1, color: "#333", fillOpacity: 0.9,
        fillColor: colours[pm25Grade(f.properties.pm25)] || noData }),
      onEachFeature: (f, layer) => {
        const a = document.createElement("a");
        a.href = f.properties.url;
        a.textContent = `${f.properties.serial} · PM10 ${f.properties.pm10 ?? "–"} · PM2.5 ${f.properties.pm25 ?? "–"}`;
        layer.bindPopup(a);
      },
    }).addTo(map);
  });
})();
