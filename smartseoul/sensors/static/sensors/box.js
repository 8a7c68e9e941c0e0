// Charts of each quantity of one box for the chosen period.
(function () {
  "use strict";
  const dataEl = document.getElementById("box-series");
  const host = document.getElementById("box-charts");
  if (!dataEl || !host || typeof Plotly === "undefined") { return; }
  for (const s of JSON.parse(dataEl.textContent)) {
    const div = document.createElement("div");
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", `${s.name} (${s.unit})`);
    div.style.height = "220px";
    host.appendChild(div);
    Plotly.newPlot(div, [{ x: s.t, y: s.v, type: "scatter", mode: "lines", name: s.name }],
      { title: { text: `${s.name} (${s.unit})`, font: { size: 14 } }, margin: { l: 40, r: 10, t: 30, b: 30 } },
      { displayModeBar: false, responsive: true });
  }
})();
