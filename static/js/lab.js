/* Lab widget: the learner adjusts a lab's tunable fields, presses Train, and the run is
 * submitted through the public REST API (POST /api/v1/jobs/) and followed live by LiveRun.
 */
(function () {
  "use strict";

  const LABELS = {
    "optim.lr": "Learning rate", "optim.name": "Optimizer", "optim.batch_size": "Batch size",
    "optim.epochs": "Epochs", "optim.momentum": "Momentum", "model.hidden": "Hidden layers (units)",
    "model.activation": "Activation", "data.name": "Dataset", "data.noise": "Noise",
    "data.n_samples": "Samples", "data.seed": "Seed", "data.val_fraction": "Validation fraction",
  };

  function getPath(obj, path) {
    return path.split(".").reduce((o, k) => (o === undefined ? undefined : o[k]), obj);
  }

  function setPath(obj, path, value) {
    const keys = path.split(".");
    const last = keys.pop();
    keys.reduce((o, k) => o[k], obj)[last] = value;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function buildControl(path, spec, value) {
    const label = document.createElement("label");
    label.append(LABELS[path] || path);
    let input;
    if (spec.choices) {
      input = document.createElement("select");
      spec.choices.forEach((choice) => {
        const option = new Option(String(choice), JSON.stringify(choice));
        option.selected = JSON.stringify(choice) === JSON.stringify(value);
        input.append(option);
      });
      input.readValue = () => JSON.parse(input.value);
    } else if (path === "model.hidden") {
      input = document.createElement("input");
      input.type = "text";
      input.value = value.join(", ");
      input.title = `Comma-separated units per layer; up to ${spec.max_layers ?? "?"} layers of ` +
        `at most ${spec.max_units ?? "?"} units; empty for a linear model.`;
      input.readValue = () => input.value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
    } else {
      input = document.createElement("input");
      input.type = "number";
      if (spec.min !== undefined) input.min = spec.min;
      if (spec.max !== undefined) input.max = spec.max;
      input.step = Number.isInteger(value) ? "1" : "any";
      input.value = value;
      input.readValue = () => (input.value === "" ? null : Number(input.value));
    }
    input.dataset.path = path;
    input.name = path;
    const error = document.createElement("span");
    error.className = "field-error";
    error.dataset.errorFor = path;
    label.append(input, error);
    return label;
  }

  function initLab(section) {
    const preset = JSON.parse(section.querySelector(".lab-preset script").textContent);
    const tunable = JSON.parse(section.querySelector(".lab-tunable script").textContent);
    const form = section.querySelector(".lab-form");
    if (!form) return; // anonymous visitor: the page asks them to log in
    const trainButton = section.querySelector(".lab-train");
    const cancelButton = section.querySelector(".lab-cancel");
    const statusBadge = section.querySelector(".lab-status");
    const runLink = section.querySelector(".lab-run-link");
    const formError = section.querySelector(".lab-form-error");
    const runView = section.querySelector(".run-view");
    let run = null;
    let job = null;

    Object.entries(tunable).forEach(([path, spec]) =>
      form.append(buildControl(path, spec, getPath(preset, path))));

    function onStatus(status) {
      statusBadge.textContent = status;
      statusBadge.className = `lab-status status status-${status}`;
      const active = !LiveRun.isTerminal(status);
      cancelButton.hidden = !active;
      trainButton.disabled = active;
    }

    function follow(jobData) {
      job = jobData;
      if (run) run.close();
      runLink.href = job.urls.page;
      runLink.hidden = false;
      run = new LiveRun(runView, job, { onStatus });
      section.liveRun = run; // for tests and the console
    }

    // Errors come in the API's one shape: {error: {code, message, fields: {"config.optim.lr": …}}}.
    function showErrors(error) {
      section.querySelectorAll("[data-error-for]").forEach((n) => (n.textContent = ""));
      const unplaced = [];
      Object.entries((error && error.fields) || {}).forEach(([path, reason]) => {
        const configPath = path.startsWith("config.") ? path.slice("config.".length) : path;
        const slot = section.querySelector(`[data-error-for="${CSS.escape(configPath)}"]`);
        if (slot) slot.textContent = reason; else unplaced.push(`${configPath}: ${reason}`);
      });
      if (error && error.message && !unplaced.length && !Object.keys(error.fields || {}).length) {
        unplaced.push(error.message);
      }
      formError.textContent = unplaced.join(" ");
    }

    trainButton.addEventListener("click", async () => {
      const config = structuredClone(preset);
      form.querySelectorAll("[data-path]").forEach((input) =>
        setPath(config, input.dataset.path, input.readValue()));
      trainButton.disabled = true;
      formError.textContent = "";
      try {
        const response = await fetch("/api/v1/jobs/", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ config, lab: Number(section.dataset.labId) }),
        });
        const body = await response.json().catch(() => ({}));
        if (response.status === 201) {
          showErrors(null);
          follow(body);
        } else {
          trainButton.disabled = false;
          showErrors(body.error || { message: response.statusText, fields: {} });
        }
      } catch (err) {
        trainButton.disabled = false;
        formError.textContent = `Could not reach the server: ${err}`;
      }
    });

    cancelButton.addEventListener("click", async () => {
      if (!job) return;
      cancelButton.disabled = true;
      await fetch(job.urls.cancel, { method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() } });
      cancelButton.disabled = false;
    });

    // A reload mid-run picks the learner's latest run of this lab up again, from event 1.
    if (section.dataset.latestJob) {
      fetch(`/api/v1/jobs/${section.dataset.latestJob}/`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((data) => data && follow(data));
    }
  }

  document.querySelectorAll("section.lab[data-lab-id]").forEach(initLab);
})();
