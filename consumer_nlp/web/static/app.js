// Written for this application; nothing is loaded from elsewhere.
// A form with data-confirm (deleting a batch) asks before it is sent.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();

// The review page's keys: 1–6 choose a category, S skips, U goes back to undo.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }
  var reviewer = document.getElementById("reviewer");
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.target === reviewer) { return; }
    var key = event.key.toLowerCase();
    var choice = form.querySelector('button[data-key="' + key + '"]');
    if (choice) {
      event.preventDefault();
      if (!reviewer.value.trim()) { reviewer.focus(); return; }
      form.requestSubmit(choice);
    } else if (key === "s" && document.getElementById("skip")) {
      window.location = document.getElementById("skip").href;
    } else if (key === "u" && document.getElementById("undo")) {
      window.location = document.getElementById("undo").href;
    }
  });
})();
