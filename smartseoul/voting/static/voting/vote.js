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
  /* The new-vote form shows only the fields the chosen target and ballot use. */
  const voteForm = document.getElementById("vote-form");
  if (voteForm) {
    const byTarget = { districts: ["district_codes"], geofence: ["lat", "lon", "radius_m"], phones: ["phones"], password: ["password"] };
    const byBallot = { multiple: ["max_choices"], approval: ["max_choices"], ranking: ["max_choices"],
                       knapsack: ["max_choices", "budget_limit"], points: ["points_total"] };
    const show = function (names, visible) {
      names.forEach(function (name) {
        const box = voteForm.querySelector("[data-field='" + name + "']");
        if (box) box.hidden = !visible;
      });
    };
    const sync = function () {
      const target = (voteForm.querySelector("#id_target_type") || {}).value;
      const ballot = (voteForm.querySelector("#id_ballot_type") || {}).value;
      Object.keys(byTarget).forEach(function (k) { show(byTarget[k], false); });
      Object.keys(byBallot).forEach(function (k) { show(byBallot[k], false); });
      show(byTarget[target] || [], true);
      show(byBallot[ballot] || [], true);
    };
    voteForm.addEventListener("change", sync);
    sync();
  }
})();
