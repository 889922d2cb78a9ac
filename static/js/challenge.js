// A lab's challenge box follows the learner's runs: when the lab's run ends, the box asks
// the server for the challenge's status (graded from the run the worker stored) and shows
// it. Nothing here decides a grade; it only displays the server's answer.
(function () {
  "use strict";

  function render(box, data) {
    const status = data.status;
    box.classList.toggle("passed", status.passed);
    const heading = box.querySelector("h3");
    heading.textContent = "Challenge";
    if (status.passed) {
      const mark = document.createElement("span");
      mark.className = "ok";
      mark.textContent = " ✓ passed";
      heading.append(mark);
    }
    box.querySelector(".challenge-result").textContent = status.summary;
    const uncounted = box.querySelector(".challenge-uncounted");
    const list = uncounted.querySelector("ul");
    list.replaceChildren();
    if (status.latest_uncounted) {
      uncounted.querySelector("p").textContent = status.latest_uncounted.message;
      for (const [path, reason] of Object.entries(status.latest_uncounted.reasons)) {
        const item = document.createElement("li");
        const code = document.createElement("code");
        code.textContent = path;
        item.append(code, `: ${reason}`);
        list.append(item);
      }
    }
    uncounted.hidden = !status.latest_uncounted;
  }

  async function refresh(box) {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (response.ok) render(box, await response.json());
    } catch (err) {
      // Offline for a moment: the next finished run, or a reload, shows the status.
    }
  }

  document.querySelectorAll(".challenge[data-status-url]").forEach((box) => {
    const badge = box.closest(".lab")?.querySelector(".lab-status");
    if (!badge || !box.querySelector(".challenge-result")) return;
    let last = badge.className;
    new MutationObserver(() => {
      const ended = /status-(succeeded|failed|cancelled)/.test(badge.className);
      if (ended && badge.className !== last) refresh(box);
      last = badge.className;
    }).observe(badge, { attributes: true, attributeFilter: ["class"] });
  });
})();
