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
