// Starts Swagger UI on /api/docs from the settings the page carries as JSON (no inline script, so
// the site's CSP holds). Requests made with "Try it out" send the CSRF token, so a signed-in person
// can also try the operations that change something.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrf = document.getElementById("swagger-ui").dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  settings.requestInterceptor = function (request) {
    if (csrf && request.method && request.method.toUpperCase() !== "GET") {
      request.headers["X-CSRFToken"] = csrf;
    }
    return request;
  };
  window.ui = SwaggerUIBundle(settings);

  // Swagger UI puts a deep link inside each operation's toggle button: a link within a button,
  // which keyboards and screen readers cannot reach apart. The button alone opens the operation.
  var root = document.getElementById("swagger-ui");
  function unnest() {
    root.querySelectorAll(".opblock-summary-control a[href]").forEach(function (link) {
      link.removeAttribute("href");
    });
  }
  new MutationObserver(unnest).observe(root, { childList: true, subtree: true });
})();
