/**
 * The remote control plane sends logs in request-sized batches.
 */
import assert from "node:assert/strict";
import type { ApiLog } from "../../engine/mod.ts";
import { logChunks } from "../../sdk/remote_control_plane.ts";

const line = (message: string): ApiLog => ({
  flow_run_id: "r",
  task_run_id: null,
  level: 20,
  name: "ironflow",
  message,
  at: "2026-01-01T00:00:00.000Z",
});

Deno.test("logChunks() keeps every line, in order, in batches under the request limit", () => {
  const logs = Array.from({ length: 5_000 }, (_, i) => line(`line ${i} ${"x".repeat(200)}`));
  const chunks = logChunks(logs);
  assert.ok(chunks.length > 1);
  assert.deepEqual(chunks.flat().map((l) => l.message), logs.map((l) => l.message));
  for (const chunk of chunks) assert.ok(JSON.stringify({ logs: chunk }).length < 1_048_576);
});

Deno.test("logChunks() cuts a message too large for one request and says so", () => {
  const [[cut]] = logChunks([line("y".repeat(2_000_000))]) as [[ApiLog]];
  assert.ok(cut.message.length < 70_000);
  assert.match(cut.message, /\[cut: 2000000 characters\]$/);
});
