import assert from "node:assert/strict";
import { fnv1a64, planFingerprint, type PlannedNode } from "../../../engine/planner/mod.ts";

Deno.test("fnv1a64() matches the reference FNV-1a 64 vectors", async (t) => {
  const vectors: [string, string][] = [
    ["", "cbf29ce484222325"],
    ["a", "af63dc4c8601ec8c"],
    ["foobar", "85944171f73967e8"],
    ["héllo ✓", "cab09e47690f70e7"],
  ];
  for (const [input, hash] of vectors) {
    await t.step(JSON.stringify(input), () => assert.equal(fnv1a64(input), hash));
  }
});

Deno.test("planFingerprint() ignores spans but not edges or flags", () => {
  const span = { start: 0, end: 5, line: 1, column: 1 };
  const a: PlannedNode = { id: "a#0", taskName: "a", op: "submit", span, occurrence: 0 };
  const b: PlannedNode = { id: "b#0", taskName: "b", op: "call", span, occurrence: 0 };
  const base = planFingerprint([a, b], [{ from: "a#0", to: "b#0", kind: "data" }]);
  const moved = planFingerprint([{ ...a, span: { ...span, line: 4 } }, b], [
    { from: "a#0", to: "b#0", kind: "data" },
  ]);
  assert.equal(moved, base);
  assert.notEqual(planFingerprint([a, b], [{ from: "a#0", to: "b#0", kind: "waitFor" }]), base);
  assert.notEqual(
    planFingerprint([a, { ...b, dynamic: true }], [{ from: "a#0", to: "b#0", kind: "data" }]),
    base,
  );
});
