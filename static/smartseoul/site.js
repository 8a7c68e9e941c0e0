// Small progressive enhancements shared by every page. Pages work without it.
document.addEventListener("htmx:responseError", function (event) {
  var box = document.querySelector("[data-htmx-error]") || document.querySelector("main");
  var p = document.createElement("p");
  p.className = "msg error";
  p.setAttribute("role", "alert");
  try { p.textContent = JSON.parse(event.detail.xhr.responseText).error.message; }
  catch (e) { p.textContent = event.detail.xhr.statusText || "Error"; }
  box.prepend(p);
});

// "Go back" links (data-back): back in the browser's history when there is one, else their href.
// A javascript: URL would be refused by the site's content security policy.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// The main menu (KRDS): on a PC each group opens its panel below the bar, one at a time; on a
// phone "Menu" opens the full-height panel. Escape or a click elsewhere closes; focus returns.
(function () {
  var triggers = Array.prototype.slice.call(document.querySelectorAll(".krds-main-menu .gnb-main-trigger"));
  function setOpen(trigger, open) {
    var panel = document.getElementById(trigger.getAttribute("aria-controls"));
    trigger.setAttribute("aria-expanded", open ? "true" : "false");
    trigger.classList.toggle("active", open);
    if (panel) panel.classList.toggle("is-open", open);
  }
  triggers.forEach(function (trigger) {
    trigger.addEventListener("click", function () {
      var open = trigger.getAttribute("aria-expanded") !== "true";
      triggers.forEach(function (other) { setOpen(other, false); });
      setOpen(trigger, open);
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".krds-main-menu")) {
      triggers.forEach(function (t) { setOpen(t, false); });
    }
  });

  var nav = document.getElementById("mobile-nav");
  var opener = document.getElementById("menu-open");
  var closer = document.getElementById("menu-close");
  function mobile(open) {
    if (!nav || !opener) return;
    nav.hidden = !open;
    nav.classList.toggle("is-open", open);
    document.body.classList.toggle("menu-open", open);
    opener.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { var first = nav.querySelector("a, input, button"); if (first) first.focus(); }
    else opener.focus();
  }
  if (opener) opener.addEventListener("click", function () { mobile(true); });
  if (closer) closer.addEventListener("click", function () { mobile(false); });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (nav && !nav.hidden) { mobile(false); return; }
    triggers.forEach(function (t) {
      if (t.getAttribute("aria-expanded") === "true") { setOpen(t, false); t.focus(); }
    });
  });
  if (nav) nav.addEventListener("keydown", function (event) {  // keep Tab inside the open panel
    if (event.key !== "Tab") return;
    var items = nav.querySelectorAll("a, input, button");
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });
})();
