/* A run's state, and the fold of its stream's events into it.
 *
 * Pure: no DOM, no clock (the caller passes `now`), no network, so Node tests it
 * (tests/js/) and the contract test replays real runs' events through it. The fold keeps
 * each event type as the contract generated from Python says (contract.js: "latest",
 * "series" or "per_epoch"); the few types that also move the run's progress have their own
 * handler. A type with no handler is counted in `state.unknown`, never dropped silently.
 */
import { CONTRACT } from "./contract.js";

export const EVENT_TYPES = Object.freeze(Object.keys(CONTRACT.keptAs));
const TERMINAL = new Set(CONTRACT.terminalStatuses);
// Under cross-validation these name a fold without starting one: the summary after the last
// fold, and the test set measured with the best fold's model.
const NAMES_A_FOLD = new Set(["cv_summary", "test_metrics"]);

export function isTerminal(status) {
  return TERMINAL.has(status);
}

export function createState(job) {
  const optim = job.config && job.config.optim;
  return {
    status: job.status,
    error: job.error || "",
    finished: false, // a final status event was folded (once, even on a replay)
    epochs: optim ? optim.epochs : null,
    startedAt: job.started_at ? Date.parse(job.started_at) : null,
    finishedAt: job.finished_at ? Date.parse(job.finished_at) : null,
    fold: undefined,
    epochDone: 0,
    step: 0,
    steps: { x: [], y: [] }, // per-step training loss
    epochRows: [], // the per-epoch metric payloads, in order
    latest: {}, // type -> newest payload
    series: {}, // type -> every payload, in order
    perEpoch: new Map(), // type -> Map(epoch -> payload)
    unknown: {}, // type -> how many events of a type with no handler
    malformed: {}, // type -> how many events its handler could not keep (no epoch, ...)
  };
}

function num(value) {
  return typeof value === "number" && isFinite(value) ? value : null;
}

/* A new fold, or a new attempt after a lost worker: training starts again from step 1, and
 * so do the curves and the per-epoch pictures. What one fold concluded (early stop, restored
 * weights) stays shown until the next says otherwise. */
function restartTraining(state, changes) {
  state.steps = { x: [], y: [] };
  state.epochRows = [];
  state.perEpoch.forEach((byEpoch) => byEpoch.clear());
  Object.keys(state.series).forEach((type) => { state.series[type] = []; });
  state.epochDone = 0;
  state.step = 0;
  changes.stepsFrom = 0;
  changes.restarted = true;
  changes.curves = true;
  changes.epochViews = true;
}

const BY_KIND = {
  latest(state, type, payload, changes) {
    state.latest[type] = payload;
    changes.epochViews = true;
    return true;
  },
  series(state, type, payload, changes) {
    (state.series[type] = state.series[type] || []).push(payload);
    changes.epochViews = true;
    return true;
  },
  per_epoch(state, type, payload, changes) {
    if (typeof payload.epoch !== "number") return false;
    if (!state.perEpoch.has(type)) state.perEpoch.set(type, new Map());
    state.perEpoch.get(type).set(payload.epoch, payload);
    changes.epochViews = true;
    return true;
  },
};

// Types that also move the run's progress, on top of being kept as their kind says.
const PROGRESS = {
  status(state, payload, changes, now) {
    if (payload.restarted) restartTraining(state, changes);
    state.status = payload.status;
    state.error = payload.error || "";
    if (payload.status === "running" && !state.startedAt) state.startedAt = now;
    if (TERMINAL.has(payload.status)) {
      if (!state.finishedAt) state.finishedAt = now;
      if (!state.finished) changes.finished = payload.status;
      state.finished = true;
    }
    changes.status = true;
  },
  info(state, payload, changes) {
    if (payload.epochs) state.epochs = payload.epochs;
    changes.info = true;
  },
};

// A metric is a series, kept in two shapes the charts read: the per-step losses as plain
// arrays (thousands of points) and the per-epoch rows.
const OWN = {
  metric(state, payload, changes) {
    if (payload.scope === "step") {
      state.steps.x.push(payload.step);
      state.steps.y.push(num(payload.train_loss));
      state.step = payload.step;
    } else if (payload.scope === "epoch") {
      state.epochRows.push(payload);
      state.epochDone = payload.epoch;
      state.epochs = payload.epochs || state.epochs;
      if (payload.step !== undefined) state.step = Math.max(state.step, payload.step);
      changes.epochViews = true;
    } else {
      return false;
    }
    changes.curves = true;
    return true;
  },
};

/* The handler of each type the contract names: its own, or keep it as its kind says and
 * then move the progress if it does. False when it could not keep the payload. */
export const HANDLERS = Object.freeze(Object.fromEntries(
  Object.entries(CONTRACT.keptAs)
    .filter(([type, kind]) => OWN[type] || BY_KIND[kind])
    .map(([type, kind]) => [type, (state, payload, changes, now) => {
      if (OWN[type]) return OWN[type](state, payload, changes);
      if (!BY_KIND[kind](state, type, payload, changes)) return false;
      if (PROGRESS[type]) PROGRESS[type](state, payload, changes, now);
      return true;
    }]),
));

/* Folds `events` ({type, payload}) into `state` in order and says what changed: curves,
 * epochViews, info, status, restarted (the curves start over), stepsFrom (the first new
 * per-step point) and finished (the final status, the first time one arrives). */
export function foldEvents(state, events, now) {
  const changes = { stepsFrom: state.steps.y.length };
  for (const { type, payload } of events) {
    const handler = HANDLERS[type];
    if (!handler) {
      state.unknown[type] = (state.unknown[type] || 0) + 1;
      continue;
    }
    if (payload.fold !== undefined && payload.fold !== state.fold && !NAMES_A_FOLD.has(type)) {
      state.fold = payload.fold;
      restartTraining(state, changes);
    }
    if (!handler(state, payload, changes, now)) {
      state.malformed[type] = (state.malformed[type] || 0) + 1;
    }
  }
  return changes;
}

/* The newest payload of `type` at or before `epoch`. */
export function atEpoch(state, type, epoch) {
  const byEpoch = state.perEpoch.get(type);
  let found = null;
  if (byEpoch) {
    byEpoch.forEach((payload, key) => {
      if (key <= epoch && (found === null || key > found[0])) found = [key, payload];
    });
  }
  return found ? found[1] : null;
}

/* Epochs with something to show per epoch, oldest first. */
export function knownEpochs(state) {
  const epochs = new Set(state.epochRows.map((row) => row.epoch));
  state.perEpoch.forEach((byEpoch) => byEpoch.forEach((_, epoch) => epochs.add(epoch)));
  Object.values(state.series).forEach((payloads) => payloads.forEach((payload) => {
    if (typeof payload.epoch === "number") epochs.add(payload.epoch);
  }));
  return [...epochs].sort((a, b) => a - b);
}

/* Exponential moving average with TensorBoard's bias correction, so the first points are
 * not dragged towards zero. Fills out.y from index `from` on, continuing out.acc. */
export function ema(values, weight, out, from) {
  let acc = from > 0 ? out.acc : 0;
  for (let i = from; i < values.length; i++) {
    acc = acc * weight + (1 - weight) * values[i];
    out.y[i] = weight > 0 ? acc / (1 - Math.pow(weight, i + 1)) : values[i];
  }
  out.y.length = values.length;
  out.acc = acc;
}

/* The epoch row with the best `key` by `better`, or null. */
export function bestEpoch(state, key, better) {
  let best = null;
  for (const row of state.epochRows) {
    if (num(row[key]) !== null && (best === null || better(row[key], best[key]))) best = row;
  }
  return best;
}
