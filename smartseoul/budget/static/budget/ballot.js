// Knapsack ballots: show the running total of the chosen projects against the envelope,
// written as people read amounts (80억 원 in Korean, KRW 8 billion in English).
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form || form.dataset.method !== "knapsack") { return; }
  var limit = Number(form.dataset.limit);
  var korean = form.dataset.unitKo === "1";
  var out = document.getElementById("chosen-total");
  function won(n) {
    if (korean) {
      if (n < 10000) { return n.toLocaleString("ko-KR") + "원"; }
      var parts = [];
      var units = [[1e12, "조"], [1e8, "억"], [1e4, "만"]];
      var rest = n;
      units.forEach(function (u) {
        var q = Math.floor(rest / u[0]);
        if (q) { parts.push(q.toLocaleString("ko-KR") + u[1]); rest -= q * u[0]; }
      });
      if (rest) { parts.push(rest.toLocaleString("ko-KR")); return parts.join(" ") + "원"; }
      return parts.join(" ") + " 원";
    }
    var big = [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]];
    for (var i = 0; i < big.length; i++) {
      if (n >= big[i][0] && n % (big[i][0] / 100) === 0) { return "KRW " + (n / big[i][0]) + " " + big[i][1]; }
    }
    return "KRW " + n.toLocaleString("en-US");
  }
  function update() {
    var total = 0;
    form.querySelectorAll("input[name=project]:checked").forEach(function (box) { total += Number(box.dataset.cost || 0); });
    out.textContent = won(total);
    out.classList.toggle("error", total > limit);
  }
  form.addEventListener("change", update);
  update();
})();
