// Work queue and report page: "select all" for bulk actions, and a search box that narrows a long
// department list (both keep working after htmx swaps the queue). Pages work without this script.
(function () {
  "use strict";
  function fold(text) { return (text || "").toLocaleLowerCase().replace(/\s+/g, ""); }

  function showSearchBoxes(root) {
    root.querySelectorAll("input.department-search[hidden]").forEach(function (box) { box.hidden = false; });
  }

  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "select-all") {
      document.querySelectorAll("#queue input[name=numbers]").forEach(function (box) { box.checked = e.target.checked; });
    }
  });

  document.addEventListener("input", function (e) {
    var box = e.target;
    if (!box || !box.matches || !box.matches("input.department-search")) { return; }
    var select = document.getElementById(box.dataset.filterFor);
    if (!select) { return; }
    var q = fold(box.value);
    select.querySelectorAll("optgroup").forEach(function (group) {
      var groupHit = fold(group.label).indexOf(q) !== -1;
      var any = false;
      group.querySelectorAll("option").forEach(function (opt) {
        var hit = !q || groupHit || fold(opt.textContent).indexOf(q) !== -1;
        opt.hidden = !hit;
        any = any || hit;
      });
      group.hidden = !any;
    });
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.hidden) { select.value = ""; }
  });

  document.addEventListener("DOMContentLoaded", function () { showSearchBoxes(document); });
  document.addEventListener("htmx:afterSwap", function (e) { showSearchBoxes(e.target); });
})();
