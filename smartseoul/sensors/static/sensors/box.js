// Charts of each quantity of one box for the chosen period. Times arrive in the city's time zone
// with their offset (+09:00); Plotly draws a date string at its own wall-clock time, so the axis
// shows Korean time. Axis labels are numeric (YYYY-MM-DD HH:MM) in every language.
(function () {
  "use strict";
  const dataEl = document.getElementById("box-series");
  const host = document.getElementById("box-charts");
  if (!dataEl || !host || typeof Plotly === "undefined") { return; }
  const day = host.dataset.period === "day";
  const stripOffset = (t) => t.replace(/([+-]\d\d:\d\d|Z)$/, "");
  for (const s of JSON.parse(dataEl.textContent)) {
    const div = document.createElement("div");
    div.className = "box-chart";
    div.dataset.quantity = s.code;
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", `${s.name} (${s.unit})`);
    div.style.height = "250px";
    host.appendChild(div);
    Plotly.newPlot(div, [{ x: s.t.map(stripOffset), y: s.v, type: "scatter", mode: "lines", name: s.name,
                           hovertemplate: "%{x|%Y-%m-%d %H:%M}<br>%{y} " + s.unit + "<extra></extra>" }],
      { title: { text: `${s.name} (${s.unit})`, font: { size: 14 } }, margin: { l: 56, r: 10, t: 30, b: 64 },
        xaxis: { type: "date", tickformat: day ? "%H:%M<br>%Y-%m-%d" : "%m-%d<br>%Y", hoverformat: "%Y-%m-%d %H:%M",
                 title: { text: host.dataset.timeAxis, font: { size: 12 } } },
        yaxis: { title: { text: s.unit, font: { size: 12 } } } },
      { displayModeBar: false, responsive: true });
  }
})();
