/* Location only where it is needed: on-spot votes ask for it when the ballot is sent; the
   list's "near me" button asks once and reloads with the coordinates. */
(function () {
  "use strict";
  const near = document.getElementById("near-me");
  if (near && navigator.geolocation) {
    near.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        window.location = near.dataset.url + "?lat=" + pos.coords.latitude.toFixed(5) + "&lon=" + pos.coords.longitude.toFixed(5);
      });
    });
  }
  const form = document.getElementById("ballot-form");
  if (form && form.dataset.needsLocation) {
    const status = document.getElementById("location-status");
    const words = JSON.parse(document.getElementById("location-text").textContent);
    form.addEventListener("submit", function (ev) {
      if (document.getElementById("lat").value) return;
      ev.preventDefault();
      if (!navigator.geolocation) { status.textContent = words.unavailable; status.dataset.state = "unavailable"; return; }
      status.textContent = words.asking;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude;
        document.getElementById("lon").value = pos.coords.longitude;
        form.submit();
      }, function () {
        status.textContent = words.denied; status.dataset.state = "denied";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();
