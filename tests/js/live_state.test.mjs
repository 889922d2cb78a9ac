// The live view's pure fold (static/js/live/state.js): events in, state out, no browser.
// Run by tests/js/test_node_units.py (`node --test tests/js/`).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  EVENT_TYPES, HANDLERS, atEpoch, bestEpoch, createState, ema, foldEvents, knownEpochs,
} from "../../static/js/live/state.js";
import { CONTRACT } from "../../static/js/live/contract.js";

const JOB = { id: 7, status: "queued", config: { optim: { epochs: 3 } }, error: "" };
const step = (s, loss, extra = {}) => ({ type: "metric",
  payload: { scope: "step", epoch: 1, step: s, train_loss: loss, ...extra } });
const epochRow = (epoch, s, extra = {}) => ({ type: "metric", payload: { scope: "epoch", epoch,
  epochs: 3, step: s, train_loss: 1 / epoch, val_loss: 1.1 / epoch, ...extra } });
const status = (value, extra = {}) => ({ type: "status", payload: { status: value, ...extra } });

test("every type of the contract has a handler, and the stream listens to each", () => {
  assert.deepEqual(Object.keys(HANDLERS).sort(), Object.keys(CONTRACT.keptAs).sort());
  assert.deepEqual([...EVENT_TYPES].sort(), Object.keys(CONTRACT.keptAs).sort());
});

test("a type the contract does not name is counted as unknown, not dropped silently", () => {
  const state = createState(JOB);
  foldEvents(state, [{ type: "brand_new_picture", payload: { epoch: 1 } }, step(1, 0.5)], 0);
  assert.deepEqual(state.unknown, { brand_new_picture: 1 });
  assert.deepEqual(state.steps, { x: [1], y: [0.5] });
});

test("steps and epochs build the curves and the progress", () => {
  const state = createState(JOB);
  const changes = foldEvents(state, [status("running"), step(1, 0.9), step(2, Infinity),
    epochRow(1, 2)], 1000);
  assert.deepEqual(state.steps, { x: [1, 2], y: [0.9, null] }); // not finite: a gap
  assert.equal(state.epochDone, 1);
  assert.equal(state.step, 2);
  assert.equal(state.startedAt, 1000);
  assert.equal(state.status, "running");
  assert.equal(changes.stepsFrom, 0);
  assert.ok(changes.curves && changes.epochViews && changes.status);
  assert.equal(changes.finished, undefined);
  const later = foldEvents(state, [step(3, 0.7)], 2000);
  assert.equal(later.stepsFrom, 2); // only the new point needs smoothing
  assert.equal(later.epochViews, undefined);
});

test("the final status is reported once, with the time it arrived", () => {
  const state = createState(JOB);
  assert.equal(foldEvents(state, [status("running"), status("succeeded")], 5000).finished,
    "succeeded");
  assert.equal(state.finishedAt, 5000);
  assert.equal(foldEvents(state, [status("succeeded")], 6000).finished, undefined);
  assert.equal(state.finishedAt, 5000);
  const failed = createState(JOB);
  foldEvents(failed, [status("failed", { error: "diverged" })], 1);
  assert.equal(failed.error, "diverged");
});

test("per-epoch pictures are kept per epoch and found at or before an epoch", () => {
  const state = createState(JOB);
  foldEvents(state, [
    { type: "decision_boundary", payload: { epoch: 1, x: [0] } },
    { type: "decision_boundary", payload: { epoch: 3, x: [3] } },
    { type: "confusion_matrix", payload: { epoch: 2, labels: ["a"], matrix: [[1]] } },
    { type: "decision_boundary", payload: { x: [9] } }, // no epoch: not kept, but counted
  ], 0);
  assert.deepEqual(state.malformed, { decision_boundary: 1 });
  assert.equal(atEpoch(state, "decision_boundary", 2).x[0], 0);
  assert.equal(atEpoch(state, "decision_boundary", 3).x[0], 3);
  assert.equal(atEpoch(state, "decision_boundary", 0), null);
  assert.equal(atEpoch(state, "filters", 3), null);
  assert.deepEqual(knownEpochs(state), [1, 2, 3]);
});

test("series are kept in order and latest results replace earlier ones", () => {
  const state = createState(JOB);
  foldEvents(state, [
    { type: "gradient_norms", payload: { epoch: 4, layers: ["fc1"], norms: [0.1] } },
    { type: "gradient_norms", payload: { epoch: 5, layers: ["fc1"], norms: [0.2] } },
    { type: "early_stop", payload: { epoch: 4, patience: 2 } },
    { type: "early_stop", payload: { epoch: 5, patience: 2 } },
    { type: "info", payload: { n_params: 10, epochs: 12 } },
  ], 0);
  assert.deepEqual(state.series.gradient_norms.map((p) => p.epoch), [4, 5]);
  assert.equal(state.latest.early_stop.epoch, 5);
  assert.equal(state.epochs, 12);
  assert.deepEqual(knownEpochs(state), [4, 5]);
});

test("a new fold starts the curves and pictures again; the summary keeps the last fold", () => {
  const state = createState(JOB);
  foldEvents(state, [
    { type: "info", payload: { fold: 1, cv_folds: 2 } }, step(1, 0.5, { fold: 1 }),
    epochRow(1, 1, { fold: 1 }),
    { type: "latent", payload: { epoch: 1, fold: 1 } },
  ], 0);
  const changes = foldEvents(state, [{ type: "info", payload: { fold: 2, cv_folds: 2 } },
    step(1, 0.4, { fold: 2 })], 0);
  assert.equal(state.fold, 2);
  assert.ok(changes.restarted);
  assert.equal(changes.stepsFrom, 0);
  assert.deepEqual(state.steps, { x: [1], y: [0.4] });
  assert.deepEqual(state.epochRows, []);
  assert.equal(atEpoch(state, "latent", 1), null);
  // The test set names the best fold: it does not start that fold over.
  foldEvents(state, [{ type: "test_metrics", payload: { fold: 1, accuracy: 0.9 } }], 0);
  assert.equal(state.fold, 2);
  assert.deepEqual(state.steps.x, [1]);
});

test("a restarted attempt trains from scratch, so the curves start over", () => {
  const state = createState(JOB);
  foldEvents(state, [status("running"), step(1, 0.9), step(2, 0.8), epochRow(1, 2)], 0);
  const changes = foldEvents(state, [status("running", { restarted: true, error: "lost" }),
    step(1, 0.95)], 0);
  assert.ok(changes.restarted);
  assert.equal(changes.stepsFrom, 0);
  assert.deepEqual(state.steps, { x: [1], y: [0.95] });
  assert.equal(state.epochDone, 0);
  assert.equal(state.error, "lost");
});

test("the smoothed loss is TensorBoard's bias-corrected moving average, resumable", () => {
  const whole = { y: [], acc: 0 };
  ema([1, 2, 3, 4], 0.5, whole, 0);
  // acc: 0.5, 1.25, 2.125, 3.0625; divided by 1 - 0.5^(i+1)
  assert.deepEqual(whole.y, [1, 1.25 / 0.75, 2.125 / 0.875, 3.0625 / 0.9375]);
  const parts = { y: [], acc: 0 };
  ema([1, 2], 0.5, parts, 0);
  ema([1, 2, 3, 4], 0.5, parts, 2);
  assert.deepEqual(parts.y, whole.y);
  const none = { y: [], acc: 0 };
  ema([3, 1], 0, none, 0);
  assert.deepEqual(none.y, [3, 1]);
});

test("the best epoch is the one with the best finite value", () => {
  const state = createState(JOB);
  foldEvents(state, [epochRow(1, 1, { val_accuracy: 0.7 }), epochRow(2, 2, { val_accuracy: NaN }),
    epochRow(3, 3, { val_accuracy: 0.9 })], 0);
  assert.equal(bestEpoch(state, "val_accuracy", (a, b) => a > b).epoch, 3);
  assert.equal(bestEpoch(state, "val_loss", (a, b) => a < b).epoch, 3);
  assert.equal(bestEpoch(state, "d_loss", (a, b) => a < b), null);
});
