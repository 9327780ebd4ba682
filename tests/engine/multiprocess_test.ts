import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  createPostgresStore,
  createSqliteStore,
  type Engine,
  type ProposalResult,
  type Store,
} from "../../engine/mod.ts";
import {
  openPostgresFixture,
  openSqliteFixture,
  POSTGRES_SKIP,
  POSTGRES_URL,
  type StoreFixture,
  testEngine,
} from "./_helpers.ts";

const WORKER = new URL("../testdata/engine/propose_worker.ts", import.meta.url).pathname;
const RUNS = 8;
const SHARED = 40;
const OWN = 20;
const CHUNK = 8;
const DEADLINE_MS = 60_000;

interface Planned {
  runId: string;
  token: string;
}

/** Reads lines from a child's stdout. */
function lines(stream: ReadableStream<Uint8Array>): AsyncIterator<string> {
  const reader = stream.pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
    .getReader();
  let buffer = "";
  return {
    async next() {
      while (!buffer.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) {
          const rest = buffer;
          buffer = "";
          return rest === "" ? { value: undefined, done: true } : { value: rest, done: false };
        }
        buffer += value;
      }
      const at = buffer.indexOf("\n");
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      return { value: line, done: false };
    },
  };
}

/** Waits until the worker's first commit is visible, so the rest overlaps for sure. */
async function workerCommitted(engine: Engine, signal: AbortSignal): Promise<void> {
  while (!engine.events().some((e) => e.kind.startsWith("worker"))) {
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Where the second process opens the store, and how a fresh connection does. */
interface SharedStore {
  fixture: StoreFixture;
  workerArgs: string[];
  reopen(): Store;
}

Deno.test("two processes proposing on one SQLite file apply each token once", async () => {
  await using fixture = await openSqliteFixture();
  await proposeFromTwoProcesses({
    fixture,
    workerArgs: [fixture.path],
    reopen: () => createSqliteStore(fixture.path),
  });
  const db = new DatabaseSync(fixture.path);
  try {
    const rows = db.prepare("PRAGMA integrity_check").all();
    assert.deepEqual(rows.map((row) => row["integrity_check"]), ["ok"]);
  } finally {
    db.close();
  }
});

Deno.test({
  name: `two processes proposing on one PostgreSQL database apply each token once${
    POSTGRES_URL ? "" : ` (${POSTGRES_SKIP})`
  }`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using fixture = await openPostgresFixture();
    await proposeFromTwoProcesses({
      fixture,
      workerArgs: [POSTGRES_URL!, fixture.schema],
      reopen: () => createPostgresStore(POSTGRES_URL!, { schema: fixture.schema }),
    });
  },
});

// Both processes send shared tokens (in opposite orders) and tokens of their
// own to the same runs; every token must be applied once, in one log.
async function proposeFromTwoProcesses({ fixture, workerArgs, reopen }: SharedStore) {
  const { engine } = testEngine(fixture.store);
  const runs = await Promise.all(
    Array.from(
      { length: RUNS },
      (_, i) => engine.createFlowRun({ name: `r${i}`, state: "SCHEDULED" }),
    ),
  );
  // Both processes send the shared tokens (in opposite orders) plus tokens of their own.
  const shared: Planned[] = [];
  const mine: Planned[] = [];
  const theirs: Planned[] = [];
  for (let i = 0; i < SHARED; i++) {
    for (const run of runs) shared.push({ runId: run.id, token: `shared-${run.id}-${i}` });
  }
  for (let i = 0; i < OWN; i++) {
    for (const run of runs) {
      mine.push({ runId: run.id, token: `parent-${run.id}-${i}` });
      theirs.push({ runId: run.id, token: `child-${run.id}-${i}` });
    }
  }
  const interleave = (a: Planned[], b: Planned[]) =>
    a.flatMap((item, i) => (b[i] ? [item, b[i]!] : [item])).concat(b.slice(a.length));
  const myPlan = interleave(shared, mine);
  const theirPlan = interleave([...shared].reverse(), theirs);

  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), DEADLINE_MS);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      WORKER,
      ...workerArgs,
      ...theirPlan.map(({ runId, token }) => `${runId}=${token}`),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: abort.signal,
  }).spawn();
  try {
    const out = lines(child.stdout);
    const stderr = new Response(child.stderr).text();
    assert.equal((await out.next()).value, "ready");
    const stdin = child.stdin.getWriter();
    await stdin.write(new TextEncoder().encode("go\n"));
    await stdin.close();

    const myOutcome = {
      accepted: [] as string[],
      duplicate: [] as string[],
      other: [] as string[],
    };
    for (let i = 0; i < myPlan.length; i += CHUNK) {
      if (i === CHUNK * 4) await workerCommitted(engine, abort.signal);
      const chunk = myPlan.slice(i, i + CHUNK);
      const results: ProposalResult[] = await Promise.all(
        chunk.map(({ runId, token }) =>
          engine.propose(runId, { to: "SCHEDULED", name: "Late", token, kind: "parent" })
        ),
      );
      for (const [j, result] of results.entries()) {
        const token = chunk[j]!.token;
        if (result.status === "accepted") myOutcome.accepted.push(token);
        else if (result.status === "duplicate") myOutcome.duplicate.push(token);
        else myOutcome.other.push(`${token}: ${result.status} ${result.reason ?? ""}`);
      }
      // Let the event loop turn, as a real caller would between requests; a
      // loop of microtasks re-takes the write lock before the other process
      // can get it.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const report = (await out.next()).value;
    const status = await child.status;
    assert.equal(status.code, 0, `worker failed: ${await stderr}`);
    const theirOutcome = JSON.parse(report!) as typeof myOutcome;

    assert.deepEqual(myOutcome.other, []);
    assert.deepEqual(theirOutcome.other, []);
    // Every token was accepted by exactly one process.
    const everyToken = [...shared, ...mine, ...theirs].map((p) => p.token).sort();
    assert.deepEqual([...myOutcome.accepted, ...theirOutcome.accepted].sort(), everyToken);
    // A shared token that one process applied is a duplicate for the other.
    assert.deepEqual(
      [...myOutcome.duplicate, ...theirOutcome.duplicate].sort(),
      shared.map((p) => p.token).sort(),
    );

    // The log, as a fresh connection sees it.
    await engine.close();
    const { engine: reader } = testEngine(reopen());
    try {
      const events = reader.events();
      const tokens = events.map((e) => e.token);
      // The two processes' commits interleave: p..W..p somewhere in the log.
      const origins = events.filter((e) => e.from !== null).map((e) =>
        e.kind === "parent" ? "p" : "W"
      )
        .join("");
      assert.match(origins, /p+W+p/);
      assert.equal(new Set(tokens).size, tokens.length, "no token is applied twice");
      assert.equal(events.length, RUNS + everyToken.length);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
      const perRun = SHARED + 2 * OWN + 1;
      for (const run of runs) {
        const versions = reader.events(run.id).map((e) => e.version);
        assert.deepEqual(versions, Array.from({ length: perRun }, (_, i) => i + 1), run.id);
        assert.equal(reader.getRun(run.id)!.version, perRun);
        assert.equal(reader.getRun(run.id)!.stateName, "Late");
      }
    } finally {
      await reader.close();
    }
  } finally {
    clearTimeout(deadline);
    try {
      child.kill();
    } catch {
      // Already exited.
    }
    await child.status;
  }
}
