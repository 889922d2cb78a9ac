// Every event type of the contract generated from Python has a view in the live page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { CONTRACT } from "../../static/js/live/contract.js";
import { SHOWN_TYPES } from "../../static/js/live/run.js";

test("every event type of the contract is shown by some part of the live view", () => {
  const unshown = Object.keys(CONTRACT.keptAs).filter((type) => !SHOWN_TYPES.includes(type));
  assert.deepEqual(unshown, []);
});

test("no part of the live view shows a type the contract does not name", () => {
  const strays = SHOWN_TYPES.filter((type) => !(type in CONTRACT.keptAs));
  assert.deepEqual(strays, []);
});
