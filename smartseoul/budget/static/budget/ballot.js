// Knapsack ballots: show the running total of the chosen projects against the envelope,
// written as people read amounts (80억 원 in Korean, KRW 8 billion in English).
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form || form.dataset.method !== "knapsack") { return; }
  var limit = Number(form.dataset.limit);
  var korean = form.dataset.unitKo === "1";
  var out = document.getElementById("chosen-total");
  function won(n) { return window.smartseoulWon(n, korean); }
  function update() {
    var total = 0;
    form.querySelectorAll("input[name=project]:checked").forEach(function (box) { total += Number(box.dataset.cost || 0); });
    out.textContent = won(total);
    out.classList.toggle("error", total > limit);
  }
  form.addEventListener("change", update);
  update();
})();
