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
