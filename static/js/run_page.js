/* A run's own page: replay its stored history and follow it live if it is still going. */
(function () {
  "use strict";
  const job = JSON.parse(document.getElementById("job-data").textContent);
  const badge = document.querySelector(".lab-status");
  const cancel = document.querySelector(".lab-cancel");
  // Kept on window so tests (and a curious learner's console) can reach the run.
  window.liveRun = new LiveRun(document.querySelector(".run-view"), job, {
    onStatus(status) {
      badge.textContent = status;
      badge.className = `lab-status status status-${status}`;
      cancel.hidden = LiveRun.isTerminal(status);
    },
  });
  cancel.addEventListener("click", async () => {
    const token = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || "";
    cancel.disabled = true;
    await fetch(job.urls.cancel, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": decodeURIComponent(token) } });
    cancel.disabled = false;
  });
})();
