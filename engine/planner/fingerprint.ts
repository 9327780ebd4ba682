/**
 * A stable fingerprint of a planned graph.
 *
 * @module
 */

import type { PlannedEdge, PlannedNode } from "./types.ts";

const encoder = new TextEncoder();

/**
 * Hashes text with 64-bit FNV-1a over its UTF-8 bytes.
 *
 * Computed on four 16-bit limbs so it needs neither BigInt nor a crypto API.
 *
 * @example Known vectors
 * ```ts
 * import assert from "node:assert/strict";
 * import { fnv1a64 } from "./fingerprint.ts";
 * assert.equal(fnv1a64(""), "cbf29ce484222325");
 * assert.equal(fnv1a64("foobar"), "85944171f73967e8");
 * ```
 */
export function fnv1a64(text: string): string {
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  for (const byte of encoder.encode(text)) {
    h0 ^= byte;
    // Multiply by the prime 2^40 + 0x1b3, limb by limb, carrying upwards.
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, "0")).join("");
}

/**
 * Fingerprints a plan's graph: ids, ops, names, flags and edges, not spans.
 *
 * Reformatting or commenting the flow keeps the fingerprint; changing what it
 * invokes or how the invocations depend on each other changes it.
 *
 * @example Same graph, same fingerprint
 * ```ts
 * import assert from "node:assert/strict";
 * import { planFingerprint } from "./fingerprint.ts";
 * const span = { start: 0, end: 1, line: 1, column: 1 };
 * const node = { id: "a#0", taskName: "a", op: "call" as const, span, occurrence: 0 };
 * const moved = { ...node, span: { ...span, line: 9 } };
 * assert.equal(planFingerprint([node], []), planFingerprint([moved], []));
 * ```
 */
export function planFingerprint(
  nodes: readonly PlannedNode[],
  edges: readonly PlannedEdge[],
): string {
  const lines = nodes.map((node) =>
    [
      node.id,
      node.op,
      node.taskName,
      node.fanOut ? "fanOut" : "",
      node.dynamic ? "dynamic" : "",
      node.deploymentName ?? "",
    ].join("\t")
  );
  for (const edge of edges) lines.push(`${edge.from}\t->\t${edge.to}\t${edge.kind}`);
  return fnv1a64(lines.join("\n"));
}
