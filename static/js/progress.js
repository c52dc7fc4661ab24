// Progressive enhancement for the trust console: update the progress bar live,
// and reload once the run has ended (done or failed) so the per-school results appear.
(function () {
  var box = document.querySelector(".run-progress");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("label");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total;
        bar.value = data.finished;
        label.textContent = data.finished + " of " + data.total + " notices done";
        if (data.status === "done" || data.status === "failed") { window.location.reload(); } else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
