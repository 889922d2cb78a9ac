/* Predict, then run: the learner locks in a prediction (POST /api/v1/predictions/), the page
 * starts the run that settles it (POST its urls.run) and draws it with LiveRun, and when the
 * run ends it asks the server for the outcome. The server judges from the run the worker
 * stored; nothing here decides whether a prediction was right.
 */
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function request(url, method, body) {
    const init = { method: method || "GET", credentials: "same-origin",
      headers: { Accept: "application/json" } };
    if (init.method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    return { status: response.status, body: await response.json().catch(() => ({})) };
  }

  /* The API's one error shape: {error: {message, fields: {name: reason}}}. */
  function errorText(body, fallback) {
    const error = body && body.error;
    if (!error) return fallback;
    const fields = Object.values(error.fields || {});
    return fields.length ? fields.join(" ") : error.message || fallback;
  }

  function initBox(box) {
    const form = box.querySelector(".prediction-form");
    if (!form) return; // a visitor: the box asks them to log in
    const made = box.querySelector(".prediction-made");
    const formError = box.querySelector(".prediction-error");
    const runButton = box.querySelector(".prediction-run");
    const runError = box.querySelector(".prediction-run-error");
    const runView = box.querySelector(".prediction-run-view");
    const outcomeLine = box.querySelector(".prediction-outcome");
    const explanation = box.querySelector(".prediction-explanation");
    let followedJob = null;

    function show(prediction) {
      box.dataset.predictionUrl = prediction.urls.self;
      box.dataset.runUrl = prediction.urls.run;
      form.hidden = true;
      made.hidden = false;
      box.querySelector(".prediction-given").textContent = prediction.given;
      const outcome = prediction.outcome;
      outcomeLine.replaceChildren();
      if (outcome.right !== null) {
        const verdict = document.createElement("span");
        verdict.className = "verdict";
        verdict.textContent = outcome.right ? "✓" : "✗";
        outcomeLine.append(verdict, " ");
      }
      outcomeLine.append(outcome.summary);
      box.classList.toggle("right", outcome.right === true);
      box.classList.toggle("wrong", outcome.right === false);
      // Sanitized when the author saved it (lessons.markdown), like the rest of the lesson.
      explanation.innerHTML = outcome.explanation_html;
      explanation.hidden = !outcome.explanation_html;
      runButton.hidden = !["no_run", "failed", "cancelled"].includes(outcome.state);
    }

    async function refresh() {
      const { status, body } = await request(box.dataset.predictionUrl);
      if (status === 200) show(body);
    }

    function follow(job) {
      if (followedJob === job.id) return;
      followedJob = job.id;
      if (box.liveRun) box.liveRun.dispose();
      box.liveRun = new LiveRun(runView, job, {
        onStatus: (status) => { if (LiveRun.isTerminal(status)) refresh(); },
      });
    }

    async function run() {
      runButton.disabled = true;
      runError.textContent = "";
      try {
        const { status, body } = await request(box.dataset.runUrl, "POST");
        if (status === 201) {
          runButton.hidden = true;
          follow(body);
          await refresh();
        } else {
          runButton.hidden = false;
          runError.textContent = errorText(body, "The run could not be started.");
        }
      } catch (err) {
        runButton.hidden = false;
        runError.textContent = `Could not reach the server: ${err}`;
      } finally {
        runButton.disabled = false;
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const payload = { question: Number(box.dataset.questionId) };
      if (box.dataset.kind === "numeric") {
        const input = form.querySelector("input[name=value]");
        const value = input.value.trim() === "" ? NaN : Number(input.value);
        if (!Number.isFinite(value) || input.validity.badInput) {
          formError.textContent = "Enter your estimate as a number.";
          return;
        }
        payload.value = value;
      } else {
        const picked = form.querySelector("input[name=choice]:checked");
        if (!picked) {
          formError.textContent = "Pick the outcome you expect.";
          return;
        }
        payload.choice = Number(picked.value);
      }
      const button = form.querySelector(".prediction-lock");
      button.disabled = true;
      formError.textContent = "";
      try {
        const { status, body } = await request(box.dataset.makeUrl, "POST", payload);
        if (status === 201) {
          show(body);
          await run();
        } else {
          formError.textContent = errorText(body, "Your prediction could not be stored.");
        }
      } catch (err) {
        formError.textContent = `Could not reach the server: ${err}`;
      } finally {
        button.disabled = false;
      }
    });

    runButton.addEventListener("click", run);

    // A reload draws the prediction's run again (live if it is still training).
    if (box.dataset.jobId) {
      request(`/api/v1/jobs/${box.dataset.jobId}/`).then(({ status, body }) => {
        if (status === 200) follow(body);
      });
    }
  }

  document.querySelectorAll(".prediction[data-question-id]").forEach(initBox);
})();
