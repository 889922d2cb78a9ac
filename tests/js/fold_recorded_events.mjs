// Folds recorded events (a JSON list of {type, payload} on stdin) through the live view's
// fold, as the page would, and prints what the browser could not keep or show:
// {unknown: {type: n}, malformed: {type: n}, unshown: [type]}. Used by
// tests/jobs/test_event_contract.py on the events of real runs.
import { readFileSync } from "node:fs";

import { createState, foldEvents } from "../../static/js/live/state.js";
import { SHOWN_TYPES } from "../../static/js/live/run.js";

const events = JSON.parse(readFileSync(0, "utf-8"));
const state = createState({ status: "queued", config: {} });
foldEvents(state, events, 0);
const unshown = [...new Set(events.map((e) => e.type))].filter((t) => !SHOWN_TYPES.includes(t));
process.stdout.write(JSON.stringify({ unknown: state.unknown, malformed: state.malformed, unshown }));
