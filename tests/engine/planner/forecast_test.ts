import assert from "node:assert/strict";
import { computeForecast, layerNodes } from "../../../engine/planner/mod.ts";

const nodes = (...ids: string[]) => ids.map((id) => ({ id }));
const edge = (from: string, to: string) => ({ from, to });

Deno.test("computeForecast() measures a diamond", () => {
  const forecast = computeForecast(nodes("a", "b", "c", "d"), [
    edge("a", "b"),
    edge("a", "c"),
    edge("b", "d"),
    edge("c", "d"),
  ]);
  assert.deepEqual(forecast, {
    taskCount: 4,
    edgeCount: 4,
    criticalPathLength: 3,
    maxWidth: 2,
    estimatedParallelism: 4 / 3,
    hasCycle: false,
  });
});

Deno.test("computeForecast() detects a cycle and measures only what can be ordered", () => {
  const forecast = computeForecast(nodes("a", "b", "c", "d"), [
    edge("a", "b"),
    edge("b", "c"),
    edge("c", "b"),
    edge("c", "d"),
  ]);
  assert.equal(forecast.hasCycle, true);
  assert.equal(forecast.criticalPathLength, 1);
  assert.deepEqual(
    layerNodes(nodes("a", "b", "c", "d"), [edge("a", "b"), edge("b", "c"), edge("c", "b")]),
    {
      layers: [["a", "d"]],
      unordered: ["b", "c"],
    },
  );
});

Deno.test("computeForecast() treats a self-loop as a cycle", () => {
  assert.equal(computeForecast(nodes("a"), [edge("a", "a")]).hasCycle, true);
});

Deno.test("computeForecast() counts independent nodes as one wide layer", () => {
  const forecast = computeForecast(nodes("a", "b", "c"), []);
  assert.equal(forecast.criticalPathLength, 1);
  assert.equal(forecast.maxWidth, 3);
  assert.equal(forecast.estimatedParallelism, 3);
});

Deno.test("computeForecast() ignores repeated edges and edges to unknown nodes", () => {
  const forecast = computeForecast(nodes("a", "b"), [
    edge("a", "b"),
    edge("a", "b"),
    edge("a", "zz"),
  ]);
  assert.equal(forecast.edgeCount, 1);
  assert.equal(forecast.criticalPathLength, 2);
});

Deno.test("computeForecast() gives zeros for an empty plan", () => {
  assert.deepEqual(computeForecast([], []), {
    taskCount: 0,
    edgeCount: 0,
    criticalPathLength: 0,
    maxWidth: 0,
    estimatedParallelism: 0,
    hasCycle: false,
  });
});
