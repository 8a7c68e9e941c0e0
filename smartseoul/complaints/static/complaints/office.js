// Work queue: "select all" for bulk actions (works after htmx swaps too).
document.addEventListener("change", function (e) {
  "use strict";
  if (e.target && e.target.id === "select-all") {
    document.querySelectorAll("#queue input[name=numbers]").forEach(function (box) { box.checked = e.target.checked; });
  }
});
