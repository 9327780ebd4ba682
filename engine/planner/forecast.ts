/**
 * Forecast math over a planned graph: layers, critical path, width, cycles.
 *
 * Pure functions of nodes and edges; no parser, no I/O.
 *
 * @module
 */

import type { Forecast } from "./types.ts";

/** The part of a node the forecast needs. */
export interface ForecastNode {
  /** Node id. */
  readonly id: string;
}

/** The part of an edge the forecast needs. */
export interface ForecastEdge {
  /** Upstream node id. */
  readonly from: string;
  /** Downstream node id. */
  readonly to: string;
}

/** Nodes grouped by topological layer, plus the nodes a cycle kept out. */
export interface Layering {
  /** `layers[k]` holds the ids whose longest path from a source has k edges, in input order. */
  layers: string[][];
  /** Ids that sit on or behind a cycle, in input order. */
  unordered: string[];
}

/**
 * Groups nodes into topological layers (Kahn's algorithm, longest-path depth).
 *
 * Edges with an unknown endpoint are ignored and repeated edges count once; a
 * self-loop is a cycle.
 *
 * @example Layers of a diamond
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerNodes } from "./forecast.ts";
 * const nodes = [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }];
 * const edges = [
 *   { from: "a", to: "b" }, { from: "a", to: "c" },
 *   { from: "b", to: "d" }, { from: "c", to: "d" },
 * ];
 * assert.deepEqual(layerNodes(nodes, edges).layers, [["a"], ["b", "c"], ["d"]]);
 * ```
 */
export function layerNodes(
  nodes: readonly ForecastNode[],
  edges: readonly ForecastEdge[],
): Layering {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.id, i));
  const outgoing: number[][] = nodes.map(() => []);
  const indegree: number[] = nodes.map(() => 0);
  for (const [from, to] of distinctEdges(edges, index)) {
    outgoing[from]!.push(to);
    indegree[to]! += 1;
  }
  const depth: number[] = nodes.map(() => 0);
  const queue: number[] = [];
  indegree.forEach((d, i) => d === 0 && queue.push(i));
  const done: boolean[] = nodes.map(() => false);
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head]!;
    done[at] = true;
    for (const next of outgoing[at]!) {
      depth[next] = Math.max(depth[next]!, depth[at]! + 1);
      indegree[next]! -= 1;
      if (indegree[next] === 0) queue.push(next);
    }
  }
  const layers: string[][] = [];
  const unordered: string[] = [];
  nodes.forEach((node, i) => {
    if (!done[i]) return void unordered.push(node.id);
    (layers[depth[i]!] ??= []).push(node.id);
  });
  return { layers, unordered };
}

/**
 * Computes the forecast of a planned graph.
 *
 * With a cycle, `hasCycle` is true and the other numbers cover only the nodes
 * that can be ordered (those before any cycle), so they are lower bounds.
 *
 * @example Forecast of a diamond
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeForecast } from "./forecast.ts";
 * const forecast = computeForecast(
 *   [{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }],
 *   [
 *     { from: "a", to: "b" }, { from: "a", to: "c" },
 *     { from: "b", to: "d" }, { from: "c", to: "d" },
 *   ],
 * );
 * assert.equal(forecast.criticalPathLength, 3);
 * assert.equal(forecast.maxWidth, 2);
 * ```
 */
export function computeForecast(
  nodes: readonly ForecastNode[],
  edges: readonly ForecastEdge[],
): Forecast {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.id, i));
  const { layers, unordered } = layerNodes(nodes, edges);
  const criticalPathLength = layers.length;
  return {
    taskCount: nodes.length,
    edgeCount: distinctEdges(edges, index).length,
    criticalPathLength,
    maxWidth: layers.reduce((max, layer) => Math.max(max, layer.length), 0),
    estimatedParallelism: criticalPathLength === 0 ? 0 : nodes.length / criticalPathLength,
    hasCycle: unordered.length > 0,
  };
}

function distinctEdges(
  edges: readonly ForecastEdge[],
  index: ReadonlyMap<string, number>,
): [number, number][] {
  const seen = new Set<string>();
  const out: [number, number][] = [];
  for (const edge of edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    const key = `${edge.from}\u0000${edge.to}`;
    if (from === undefined || to === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push([from, to]);
  }
  return out;
}
