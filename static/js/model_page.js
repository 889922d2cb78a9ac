// A deployed model's page: "try it" panels that call POST /api/v1/models/<id>/predict/.
// Digits: a drawing canvas downsampled to the 8x8 image (pixels 0..16) the model expects,
// predicted live as you draw. 2-D points: the training points and the decision regions;
// a click classifies that point. Other datasets: a JSON box.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("model-data").textContent);
  const root = document.querySelector(".model-try");
  const plot = root.querySelector(".model-plot");
  const answer = root.querySelector(".model-answer");

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function predict(inputs) {
    const response = await fetch(data.predictUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ inputs: inputs }),
    });
    const body = await response.json();
    if (!response.ok) {
      const error = body.error || {};
      throw new Error((error.fields && error.fields.inputs) || error.message || response.status);
    }
    return body.predictions;
  }

  function showProbabilities(prediction) {
    const classes = Object.keys(prediction.probabilities);
    const values = classes.map((c) => prediction.probabilities[c]);
    answer.textContent = `Prediction: ${prediction.class} (${(prediction.probabilities[prediction.class] * 100).toFixed(1)}%)`;
    Plotly.react(plot, [{ type: "bar", x: classes, y: values, marker: { color: "#3b6fd8" } }], {
      margin: { t: 10, r: 10, b: 50, l: 60 }, height: 260,
      yaxis: { range: [0, 1], title: { text: "probability" }, tickformat: ".0%" },
      xaxis: { type: "category", title: { text: "class" } },
    }, { displayModeBar: false, responsive: true });
  }

  function showError(error) { answer.textContent = `Error: ${error.message}`; }

  // --- digits: draw on a 256x256 canvas, send its 8x8 block means scaled to 0..16 ---
  function digits() {
    const canvas = root.querySelector(".model-canvas");
    const small = root.querySelector(".model-canvas-small");
    const ctx = canvas.getContext("2d");
    const smallCtx = small.getContext("2d");
    let drawing = false, last = null, inFlight = false, pending = false;

    function clear() {
      ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      smallCtx.fillStyle = "#000"; smallCtx.fillRect(0, 0, 8, 8);
      answer.textContent = ""; Plotly.purge(plot);
    }

    function pixels() {
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const block = canvas.width / 8, out = [];
      for (let row = 0; row < 8; row++) {
        for (let col = 0; col < 8; col++) {
          let sum = 0;
          for (let y = row * block; y < (row + 1) * block; y++) {
            for (let x = col * block; x < (col + 1) * block; x++) sum += image[(y * canvas.width + x) * 4];
          }
          out.push(Math.round((sum / (block * block) / 255) * 16 * 100) / 100);
        }
      }
      return out;
    }

    function drawSmall(values) {
      values.forEach((v, i) => {
        const level = Math.round((v / 16) * 255);
        smallCtx.fillStyle = `rgb(${level},${level},${level})`;
        smallCtx.fillRect(i % 8, Math.floor(i / 8), 1, 1);
      });
    }

    async function update() {
      if (inFlight) { pending = true; return; }
      inFlight = true;
      const values = pixels();
      drawSmall(values);
      try {
        showProbabilities((await predict([values]))[0]);
        scheduleExplain(values);
      } catch (e) { showError(e); }
      inFlight = false;
      if (pending) { pending = false; update(); }
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width,
              (event.clientY - box.top) * canvas.height / box.height];
    }

    function stroke(event) {
      const [x, y] = point(event);
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 28; ctx.lineCap = "round";
      ctx.beginPath(); ctx.moveTo(...(last || [x, y])); ctx.lineTo(x, y); ctx.stroke();
      last = [x, y];
      update();
    }

    canvas.addEventListener("pointerdown", (e) => { drawing = true; last = null; stroke(e); });
    canvas.addEventListener("pointermove", (e) => { if (drawing) stroke(e); });
    window.addEventListener("pointerup", () => { drawing = false; last = null; });
    root.querySelector(".model-clear").addEventListener("click", clear);
    clear();
  }

  // --- why: one attribution heatmap per method for the drawn digit ---
  async function explain(values, method) {
    const response = await fetch(data.explainUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ inputs: [values], method: method }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error((body.error && body.error.message) || response.status);
    return body.explanations[0];
  }

  // Explanations cost more than a prediction: they follow the drawing once it pauses, and
  // an explanation of an older drawing never overwrites a newer one.
  let explainTimer = null, explainGeneration = 0;
  function scheduleExplain(values) {
    clearTimeout(explainTimer);
    explainTimer = setTimeout(() => explainAll(values).catch(showError), 250);
  }

  async function explainAll(values) {
    const generation = ++explainGeneration;
    for (const figure of document.querySelectorAll(".model-explain-map")) {
      const explained = await explain(values, figure.dataset.method);
      if (generation !== explainGeneration) return;
      // Rows top to bottom, as drawn; the scale is symmetric so white means "no effect".
      Plotly.react(figure.querySelector(".model-explain-plot"), [{
        type: "heatmap", z: explained.heatmap.slice().reverse(), zmin: -1, zmax: 1,
        colorscale: [[0, "#2166ac"], [0.5, "#ffffff"], [1, "#b2182b"]], showscale: false,
      }], {
        margin: { t: 4, r: 4, b: 4, l: 4 }, width: 150, height: 150,
        xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" },
      }, { displayModeBar: false, staticPlot: true });
      figure.dataset.explainedClass = explained.class;
    }
  }

  // --- 2-D points: decision regions from a grid, training points, click to classify ---
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

  async function points() {
    const p = data.points;
    const k = p.classes.length;
    // One flat colour band per class index, so a region has its class's colour.
    const colorscale = p.classes.flatMap((_, i) => [[i / k, PALETTE[i]], [(i + 1) / k, PALETTE[i]]]);
    // The regions come with the page, predicted by the server without counting as uses.
    const regions = p.regions;
    const [x0, x1] = [regions.x[0], regions.x[regions.x.length - 1]];
    const [y0, y1] = [regions.y[0], regions.y[regions.y.length - 1]];
    const traces = [{ type: "heatmap", x: regions.x, y: regions.y, z: regions.z, opacity: 0.25,
                      showscale: false, colorscale: colorscale, hoverinfo: "skip",
                      zmin: -0.5, zmax: k - 0.5 }];
    p.classes.forEach((name, c) => {
      const mine = p.label.map((l, i) => (l === c ? i : -1)).filter((i) => i >= 0);
      traces.push({ type: "scatter", mode: "markers", name: name, x: mine.map((i) => p.x[i]),
                    y: mine.map((i) => p.y[i]), marker: { size: 5, color: PALETTE[c] },
                    hoverinfo: "skip" });
    });
    traces.push({ type: "scatter", mode: "markers", name: "your point", x: [], y: [],
                  marker: { size: 14, symbol: "x", color: "#000" } });
    // Fixed axes and no double-click: Plotly took two quick presses (and a phone's tap,
    // which it sees twice) for a double-click that reset the axes, so the same spot on the
    // screen meant another point from one press to the next.
    await Plotly.newPlot(plot, traces, {
      height: 440, margin: { t: 10, r: 10, b: 50, l: 55 }, dragmode: false,
      xaxis: { range: [x0, x1], fixedrange: true, title: { text: "x₁" } },
      yaxis: { range: [y0, y1], fixedrange: true, title: { text: "x₂" } },
    }, { displayModeBar: false, responsive: true, doubleClick: false });
    // One press of a mouse, pen or finger classifies one point. Not the "click" event:
    // Plotly's drag layer re-sends its own click, so a tap on a phone arrived twice (two
    // requests whose answers could land out of order, the older one last).
    let pressed = null;
    let latest = 0;
    plot.addEventListener("pointerdown", (event) => {
      if (event.isPrimary && event.button === 0) {
        pressed = { id: event.pointerId, x: event.clientX, y: event.clientY };
      }
    });
    window.addEventListener("pointercancel", () => { pressed = null; }); // e.g. a scroll
    // On the window: Plotly covers the page while a button is down, so the release lands
    // on its cover, not on the plot.
    window.addEventListener("pointerup", (event) => {
      const press = pressed;
      pressed = null;
      if (!press || event.pointerId !== press.id) return;
      if (Math.hypot(event.clientX - press.x, event.clientY - press.y) > 10) return; // a drag
      classify(press.x, press.y);
    });

    async function classify(clientX, clientY) {
      const layout = plot._fullLayout;
      const drag = plot.querySelector(".nsewdrag");
      if (!drag) return;
      const box = drag.getBoundingClientRect();
      const x = layout.xaxis.p2d(clientX - box.left);
      const y = layout.yaxis.p2d(clientY - box.top);
      if (x < x0 || x > x1 || y < y0 || y > y1) return;
      const mine = ++latest;
      try {
        const prediction = (await predict([[x, y]]))[0];
        if (mine !== latest) return; // a newer point was asked for meanwhile
        Plotly.restyle(plot, { x: [[x]], y: [[y]] }, [traces.length - 1]);
        const probs = Object.entries(prediction.probabilities).map(([c, v]) => `${c} ${(v * 100).toFixed(1)}%`);
        answer.textContent = `(${x.toFixed(2)}, ${y.toFixed(2)}) → ${prediction.class} · ${probs.join(", ")}`;
      } catch (e) { if (mine === latest) showError(e); }
    }
  }

  // --- anything else: a JSON list of inputs ---
  function generic() {
    root.querySelector(".model-send").addEventListener("click", async () => {
      try {
        const predictions = await predict(JSON.parse(root.querySelector(".model-inputs").value));
        if (predictions[0].probabilities) showProbabilities(predictions[0]);
        else answer.textContent = `Forecast: ${predictions.map((p) => p.value.toFixed(4)).join(", ")}`;
      } catch (e) { showError(e); }
    });
  }

  if (data.digits) digits();
  else if (data.points) points();
  else generic();
})();
