/**
 * The worker behind `_postgres_bridge.ts`: owns one PostgreSQL connection
 * (npm `postgres`) and runs each batch of statements it is sent, pipelined
 * on that connection, then wakes the waiting thread.
 *
 * @module
 */
import { type MessagePort, workerData } from "node:worker_threads";
import postgres from "npm:postgres@^3.4.9";
import type { BridgeReply, BridgeRequest } from "./_postgres_bridge.ts";

const { port, flag, url, schema } = workerData as {
  port: MessagePort;
  flag: Int32Array;
  url: string;
  schema: string | null;
};

// BIGINT and NUMERIC as JS numbers: seqs, times and counts stay below 2^53.
const asNumber = { serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) };
const sql = postgres(url, {
  max: 1,
  onnotice: () => {},
  connect_timeout: 10,
  types: {
    bigint: { to: 20, from: [20], ...asNumber },
    numeric: { to: 1700, from: [1700], ...asNumber },
  },
  ...(schema ? { connection: { search_path: schema } } : {}),
});

port.on("message", async (request: BridgeRequest) => {
  port.postMessage(await run(request));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});

async function run(request: BridgeRequest): Promise<BridgeReply> {
  if (request.close) {
    await sql.end({ timeout: 5 });
    return { results: [] };
  }
  // Issued together, the statements share the connection's pipeline: one
  // round trip for the batch. After a failure the rest fail too (the
  // transaction is aborted); the first error is the one reported.
  const pending = request.statements.map(({ text, params }) =>
    params.length === 0
      ? sql.unsafe(text)
      : sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })
  );
  const settled = await Promise.allSettled(pending);
  const results: BridgeReply["results"] = [];
  for (const outcome of settled) {
    if (outcome.status === "rejected") {
      const error = outcome.reason as Error & { code?: string };
      return { results, error: { message: error.message, code: error.code ?? null } };
    }
    const rows = outcome.value;
    results.push({ rows: [...rows] as Record<string, unknown>[], count: rows.count ?? 0 });
  }
  return { results };
}
