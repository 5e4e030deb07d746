// Keeps the progress of free-text analysis jobs current without reloading the page.
// The page works without it: a "Check progress" link reloads it.
(function () {
  "use strict";
  var items = document.querySelectorAll("[data-job-progress]");
  if (!items.length || !window.fetch) { return; }

  function poll(item) {
    fetch(item.getAttribute("data-job-progress"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { return; }
        var bar = item.querySelector("progress");
        var state = item.querySelector("[data-job-state]");
        if (bar) { bar.value = job.progress; bar.textContent = job.progress + "%"; }
        if (job.finished) {
          var link = document.createElement("a");
          link.href = job.url;
          link.textContent = job.state_label + " (" + job.progress + "%)";
          state.textContent = "";
          state.appendChild(link);
        } else {
          state.textContent = job.state_label + " (" + job.progress + "%)";
          window.setTimeout(function () { poll(item); }, 3000);
        }
      })
      .catch(function () { /* the "Check progress" link still works */ });
  }

  Array.prototype.forEach.call(items, function (item) {
    window.setTimeout(function () { poll(item); }, 3000);
  });
})();
