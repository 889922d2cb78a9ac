/* A run's own page: replay its stored history and follow it live if it is still going.
 * The owner can cancel it and share it; a visitor of a shared run only watches. */
(function () {
  "use strict";
  const job = JSON.parse(document.getElementById("job-data").textContent);
  const badge = document.querySelector(".lab-status");
  const cancel = document.querySelector(".lab-cancel");
  const share = document.querySelector(".run-share-toggle");
  const shareLink = document.querySelector(".run-share-link");

  function csrfHeaders() {
    const token = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || "";
    return { "X-CSRFToken": decodeURIComponent(token) };
  }

  // Kept on window so tests (and a curious learner's console) can reach the run.
  window.liveRun = new LiveRun(document.querySelector(".run-view"), job, {
    onStatus(status) {
      badge.textContent = status;
      badge.className = `lab-status status status-${status}`;
      if (cancel) cancel.hidden = LiveRun.isTerminal(status);
    },
  });
  if (cancel) {
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      await fetch(job.urls.cancel, { method: "POST", credentials: "same-origin",
        headers: csrfHeaders() });
      cancel.disabled = false;
    });
  }
  const deploy = document.querySelector(".run-deploy");
  if (deploy) {
    deploy.addEventListener("click", async () => {
      deploy.disabled = true;
      const response = await fetch(`/api/v1/jobs/${job.id}/deploy/`, {
        method: "POST", credentials: "same-origin",
        headers: Object.assign({ "Content-Type": "application/json" }, csrfHeaders()),
        body: "{}",
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 201) {
        window.location.assign(body.urls.page);
      } else {
        deploy.disabled = false;
        document.querySelector(".run-deploy-error").textContent =
          (body.error && body.error.message) || response.statusText;
      }
    });
  }
  if (share) {
    shareLink.addEventListener("focus", () => shareLink.select());
    share.addEventListener("change", async () => {
      share.disabled = true;
      const response = await fetch(job.urls.self, {
        method: "PATCH", credentials: "same-origin",
        headers: Object.assign({ "Content-Type": "application/json" }, csrfHeaders()),
        body: JSON.stringify({ shared: share.checked }),
      });
      if (response.ok) {
        const body = await response.json();
        shareLink.value = body.share_url || "";  // a new link each time it is shared
        shareLink.hidden = !body.share_url;
      } else {
        share.checked = !share.checked;
      }
      share.disabled = false;
    });
  }
})();
