/* The compare page: the chosen runs' per-epoch curves overlaid on one chart. Runs that
 * differ only in their seed are drawn as one mean line with a ± 1 std band (the server
 * computes both: jobs/compare.py), unless the learner unticks the bands. A sweep's
 * page (classroom/sweep_detail.html) draws its runs the same way, each group named by its
 * grid value. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("compare-data").textContent);
  const chart = document.querySelector(".compare-chart");
  const text = document.querySelector(".compare-text");
  const metric = document.querySelector(".compare-metric");
  const bands = document.querySelector(".compare-bands");
  const COLORS = ["#3b5bdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad", "#f08c00", "#495057"];
  const LABELS = { val_loss: "validation loss", val_accuracy: "validation accuracy",
    train_loss: "train loss", train_accuracy: "train accuracy" };

  [...metric.options].forEach((o) => (o.textContent = LABELS[o.value] || o.value));

  function draw() {
    const key = metric.value;
    const grouped = new Set();
    const traces = [];
    let color = 0;
    if (!bands || bands.checked) {
      for (const group of data.groups) {
        if (!group.mean[key]) continue;
        group.job_ids.forEach((id) => grouped.add(id));
        const c = COLORS[color++ % COLORS.length];
        const upper = group.mean[key].map((m, i) => m + group.std[key][i]);
        const lower = group.mean[key].map((m, i) => m - group.std[key][i]);
        traces.push({ x: group.epochs, y: upper, mode: "lines", line: { width: 0 }, showlegend: false,
          hoverinfo: "skip", legendgroup: group.label });
        traces.push({ x: group.epochs, y: lower, mode: "lines", line: { width: 0 }, fill: "tonexty",
          fillcolor: c + "33", name: "± 1 std", legendgroup: group.label, hoverinfo: "skip", showlegend: false });
        traces.push({ x: group.epochs, y: group.mean[key], mode: "lines+markers", marker: { size: 4 },
          line: { color: c, width: 2.5 }, name: group.name ? `mean of ${group.name}` : `mean of ${group.job_ids.map((i) => "#" + i).join(", ")}`,
          legendgroup: group.label, customdata: group.std[key],
          hovertemplate: "epoch %{x}: %{y:.4f} ± %{customdata:.4f}<extra></extra>" });
      }
    }
    for (const run of data.runs) {
      if (grouped.has(run.id) || !run.curves[key]) continue;
      traces.push({ x: run.epochs, y: run.curves[key], mode: "lines+markers", marker: { size: 4 },
        line: { color: COLORS[color++ % COLORS.length] }, name: `run ${run.label}`,
        hovertemplate: `${run.label} epoch %{x}: %{y:.4f}<extra></extra>` });
    }
    const accuracy = key.endsWith("accuracy");
    Plotly.react(chart, traces, {
      margin: { t: 20, r: 10, b: 45, l: 60 }, legend: { orientation: "h", y: -0.2 },
      xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: LABELS[key] || key }, tickformat: accuracy ? ".0%" : undefined },
    }, window.ChartText.PLOT_CONFIG);
    const label = LABELS[key] || key;
    text.textContent = `${label[0].toUpperCase()}${label.slice(1)} per epoch. Final values: ` +
      data.runs.map((r) => `run ${r.label} ${fmtLast(r.curves[key])}`).join("; ") + ".";
  }

  function fmtLast(values) {
    const v = values && values[values.length - 1];
    return typeof v === "number" ? v.toFixed(4) : "–";
  }

  metric.addEventListener("change", draw);
  if (bands) bands.addEventListener("change", draw);
  draw();
})();
