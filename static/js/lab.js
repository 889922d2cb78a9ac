/* Lab widget: the learner adjusts a lab's tunable fields, presses Train, and the run is
 * submitted through the public REST API (POST /api/v1/jobs/) and followed live by LiveRun.
 */
(function () {
  "use strict";

  /* A learner's text that cannot become the field's value: shown beside the field. */
  class InputError extends Error {}

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

  function parseNumber(text, integer) {
    const trimmed = text.trim();
    if (trimmed === "") throw new InputError("enter a value");
    const number = Number(trimmed);
    if (!Number.isFinite(number)) throw new InputError(`“${trimmed}” is not a number`);
    if (integer && !Number.isInteger(number)) {
      throw new InputError(`“${trimmed}” is not a whole number`);
    }
    return number;
  }

  /* "16, 32" (or "16 32") → [16, 32]; "" → []. Items are whole numbers, or, for a list of
   * choices, names from `choices`. */
  function parseList(text, field) {
    const items = text.split(/[\s,]+/).filter(Boolean);
    if (field.item_choices) {
      const unknown = items.find((item) => !field.item_choices.includes(item));
      if (unknown !== undefined) {
        throw new InputError(`“${unknown}” is not one of ${field.item_choices.join(", ")}`);
      }
      return items;
    }
    return items.map((item) => {
      if (!/^\d+$/.test(item)) {
        throw new InputError(`“${item}” is not a whole number: write sizes separated by ` +
          "commas, e.g. 16, 32");
      }
      return Number(item);
    });
  }

  function listHint(bounds, field) {
    const most = bounds.max_layers ?? field.max_items;
    const least = bounds.min_layers ?? field.min_items;
    const width = bounds.max_units ?? field.maximum;
    const parts = [];
    if (least) parts.push(`at least ${least}`);
    if (most !== undefined && most !== null) parts.push(`at most ${most} items`);
    if (width !== undefined && width !== null && !field.item_choices) parts.push(`each up to ${width}`);
    return parts.length ? ` (${parts.join(", ")})` : "";
  }

  /* One labelled control for a tunable field. `bounds` is the lab's (tunable), `field` the
   * engine's description of the field (label, help, type, bounds); `input.readValue()`
   * gives the config value or throws an InputError to show beside the field. */
  function buildControl(section, path, bounds, field, value) {
    const label = document.createElement("label");
    label.className = "lab-field";
    const name = document.createElement("span");
    name.className = "lab-field-name";
    name.textContent = field.label || path;
    const help = document.createElement("span");
    help.className = "lab-field-help";
    help.id = `lab-${section.dataset.labId}-${path.replace(/\W/g, "-")}-help`;
    help.textContent = field.help || "";
    let input;
    if (field.type === "boolean") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = value === true;
      input.readValue = () => input.checked;
      label.classList.add("lab-field-check");
    } else if (bounds.choices) {
      input = document.createElement("select");
      bounds.choices.forEach((choice) => {
        const option = new Option(String(choice), JSON.stringify(choice));
        option.selected = JSON.stringify(choice) === JSON.stringify(value);
        input.append(option);
      });
      input.readValue = () => JSON.parse(input.value);
    } else if (Array.isArray(value) || /_list$/.test(field.type)) {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = field.item_choices ? "text" : "numeric";
      input.value = (value || []).join(", ");
      help.textContent += listHint(bounds, field);
      input.readValue = () => parseList(input.value, field);
    } else if (field.also_accepts !== null && field.also_accepts !== undefined &&
               typeof field.also_accepts === "string") {
      // A number or a word such as "full" or "all".
      input = document.createElement("input");
      input.type = "text";
      input.value = String(value);
      input.readValue = () => (input.value.trim() === field.also_accepts ? field.also_accepts
        : parseNumber(input.value, field.type === "integer"));
    } else {
      input = document.createElement("input");
      input.type = "number";
      const min = bounds.min ?? field.minimum;
      const max = bounds.max ?? field.maximum;
      if (min !== undefined && min !== null) input.min = min;
      if (max !== undefined && max !== null) input.max = max;
      input.step = field.type === "integer" || Number.isInteger(value) ? "1" : "any";
      input.value = value;
      input.readValue = () => {
        // A number box gives "" for text it cannot read; its validity says which.
        if (input.validity.badInput) throw new InputError("must be a number");
        return parseNumber(input.value, field.type === "integer");
      };
    }
    input.dataset.path = path;
    input.name = path;
    input.setAttribute("aria-describedby", help.id);
    const error = document.createElement("span");
    error.className = "field-error";
    error.dataset.errorFor = path;
    if (field.type === "boolean") label.append(input, name, help, error);
    else label.append(name, input, help, error);
    return label;
  }

  function initLab(section) {
    const preset = JSON.parse(section.querySelector(".lab-preset script").textContent);
    const tunable = JSON.parse(section.querySelector(".lab-tunable script").textContent);
    const fields = JSON.parse(section.querySelector(".lab-fields script").textContent);
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

    Object.entries(tunable).forEach(([path, bounds]) =>
      form.append(buildControl(section, path, bounds, fields[path] || {}, getPath(preset, path))));

    function onStatus(status) {
      statusBadge.textContent = status;
      statusBadge.className = `lab-status status status-${status}`;
      const active = !LiveRun.isTerminal(status);
      cancelButton.hidden = !active;
      trainButton.disabled = active;
    }

    function follow(jobData) {
      job = jobData;
      if (run) run.dispose();
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
        // A list item's error ("model.hidden[2]") goes beside its list.
        const fieldPath = configPath.replace(/\[\d+\]$/, "");
        const slot = section.querySelector(`[data-error-for="${CSS.escape(fieldPath)}"]`);
        const item = configPath.match(/\[(\d+)\]$/);
        const text = item ? `item ${Number(item[1]) + 1}: ${reason}` : reason;
        if (slot) slot.textContent = text; else unplaced.push(`${configPath}: ${reason}`);
      });
      if (error && error.message && !unplaced.length && !Object.keys(error.fields || {}).length) {
        unplaced.push(error.message);
      }
      formError.textContent = unplaced.join(" ");
    }

    trainButton.addEventListener("click", async () => {
      const config = structuredClone(preset);
      const inputErrors = {};
      form.querySelectorAll("[data-path]").forEach((input) => {
        try {
          setPath(config, input.dataset.path, input.readValue());
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          inputErrors[input.dataset.path] = err.message;
        }
      });
      if (Object.keys(inputErrors).length) {
        showErrors({ fields: inputErrors });
        return;
      }
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
