// Knapsack ballots: show the running total of the chosen projects against the envelope.
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form || form.dataset.method !== "knapsack") { return; }
  var limit = Number(form.dataset.limit);
  var out = document.getElementById("chosen-total");
  function update() {
    var total = 0;
    form.querySelectorAll("input[name=project]:checked").forEach(function (box) { total += Number(box.dataset.cost || 0); });
    out.textContent = total.toLocaleString();
    out.classList.toggle("error", total > limit);
  }
  form.addEventListener("change", update);
  update();
})();
