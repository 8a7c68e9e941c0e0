// Digital Mayor's Office: choosing a period, district or neighbourhood shows it at once.
// The board refreshes itself through htmx polling (hx-trigger="every 10s"); this file only
// auto-submits the selectors. Without JavaScript the "Show" button does the same.
(function () {
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.name === "district") {
        var dong = document.getElementById("dong-select");
        if (dong) { dong.value = ""; }
      }
      select.form.submit();
    });
  });
})();
