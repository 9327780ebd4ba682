/**
 * The remote control plane cuts log messages too large for a request.
 */
import assert from "node:assert/strict";
import type { ApiLog } from "../../wire/mod.ts";
import { cutLogLine } from "../../sdk/remote_control_plane.ts";

const line = (message: string): ApiLog => ({
  flow_run_id: "r",
  task_run_id: null,
  level: 20,
  name: "ironflow",
  message,
  at: "2026-01-01T00:00:00.000Z",
});

Deno.test("cutLogLine() cuts a message too large for one request and says so", () => {
  const cut = cutLogLine(line("y".repeat(2_000_000)));
  assert.ok(cut.message.length < 70_000);
  assert.match(cut.message, /\[cut: 2000000 characters\]$/);
});
