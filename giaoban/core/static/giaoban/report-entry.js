// Report entry: check the figures as the user types, against the server's own rules,
// and show what is wrong beside each field and in the rules box. Nothing is saved here.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form || !form.dataset.checkUrl) { return; }
  var box = document.getElementById("live-check");
  var list = document.getElementById("live-violations");
  var timer = null;

  function show(result) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      el.textContent = result.errors[el.dataset.errorFor] || "";
    });
    list.textContent = "";
    result.violations.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    box.hidden = result.violations.length === 0;
  }

  // Refused (the session ended, or was renewed in another tab and this form's token is old):
  // checked no more, since every refused check would count against the user's session and
  // slow all of its pages (core/offenders.py); saving shows why.
  var refused = false;

  function check() {
    if (refused) { return; }
    fetch(form.dataset.checkUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { refused = true; }
        return response.ok ? response.json() : null;
      })
      .then(function (result) { if (result) { show(result); } })
      .catch(function () { /* offline for a moment: the save will check again */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
})();
