// The live air-quality map: district grades as coloured areas, boxes with their latest PM values.
(function () {
  "use strict";
  const el = document.getElementById("sensor-map");
  if (!el || typeof L === "undefined") { return; }
  const colours = { good: "#1e88e5", normal: "#43a047", bad: "#fb8c00", very_bad: "#e53935" };
  const gradesEl = document.getElementById("district-grades");
  const grades = gradesEl ? JSON.parse(gradesEl.textContent) : {};
  const map = L.map(el).setView([37.5665, 126.978], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  fetch(el.dataset.districts).then((r) => r.json()).then((fc) => {
    L.geoJSON(fc, {
      style: (f) => ({ color: "#555", weight: 1, fillOpacity: 0.35,
                       fillColor: colours[grades[f.properties.code]] || "#bbb" }),
      onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.name_ko}: ${grades[f.properties.code] || "–"}`),
    }).addTo(map);
  });
  fetch(el.dataset.boxes).then((r) => r.json()).then((fc) => {
    L.geoJSON(fc, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, weight: 1, color: "#333", fillOpacity: 0.9,
        fillColor: f.properties.pm25 == null ? "#999" : f.properties.pm25 <= 15 ? colours.good
          : f.properties.pm25 <= 35 ? colours.normal : f.properties.pm25 <= 75 ? colours.bad : colours.very_bad }),
      onEachFeature: (f, layer) => {
        const a = document.createElement("a");
        a.href = f.properties.url;
        a.textContent = `${f.properties.serial} · PM10 ${f.properties.pm10 ?? "–"} · PM2.5 ${f.properties.pm25 ?? "–"}`;
        layer.bindPopup(a);
      },
    }).addTo(map);
  });
})();
