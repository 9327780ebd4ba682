/**
 * The proof matrix of the operator actions: each action (cancel, pause drain,
 * pause terminate, resume, resume with input, retry) through each entry point
 * (SDK, CLI, HTTP API, dashboard form) on each kind of run (in this process
 * on the server's SQLite home, a remote script talking to the server, a
 * deployment run in a worker) must end the run in the same final state with
 * the same history, or be refused with the same message.
 */
import assert from "node:assert/strict";
import {
  type ControlPlane,
  createRemoteControlPlane,
  createSqliteControlPlane,
  type FlowRunOutcome,
} from "../../sdk/mod.ts";
import { MATRIX_FLOWS } from "../testdata/matrix/flows.ts";
import {
  type Action,
  type Answer,
  api,
  startMatrixServer,
  startRemoteScript,
  viaApi,
  viaCli,
  viaDashboard,
  viaSdk,
} from "./_matrix.ts";

const KINDS = ["in-process", "remote", "deployment"] as const;
type Kind = (typeof KINDS)[number];
const ENTRIES = ["sdk", "cli", "api", "dashboard"] as const;
type Entry = (typeof ENTRIES)[number];
type FlowName = keyof typeof MATRIX_FLOWS;

interface ActionSpec {
  flow: FlowName;
  /** The state the run must be in before the action. */
  ready: string;
  /** Performed in order through the cell's entry point. */
  steps: Action[];
}

const ACTIONS: Record<string, ActionSpec> = {
  "cancel": { flow: "busy", ready: "RUNNING", steps: [{ name: "cancel" }] },
  "pause-drain": { flow: "busy", ready: "RUNNING", steps: [{ name: "pause", mode: "drain" }] },
  "pause-terminate": {
    flow: "busy",
    ready: "RUNNING",
    steps: [{ name: "pause", mode: "terminate" }],
  },
  "resume": { flow: "waiting", ready: "PAUSED", steps: [{ name: "resume" }] },
  // Invalid input first: refused with the schema's errors, the run stays PAUSED; then valid input.
  "resume-input": {
    flow: "asking",
    ready: "PAUSED",
    steps: [{ name: "resume", input: { n: "seven" } }, { name: "resume", input: { n: 7 } }],
  },
  "retry": { flow: "failing", ready: "FAILED", steps: [{ name: "retry" }] },
};

interface ApiRun {
  id: string;
  state: string;
  state_name: string;
  version: number;
  attempt: number;
  tags: string[];
  deployment_id: string | null;
}

interface ApiEvent {
  to: string;
  state_name: string;
  kind: string;
  data: Record<string, unknown> | null;
}

/** What one cell ended with. */
interface CellOutcome {
  /** What the entry point answered, one per step, and the run's state after a refusal. */
  answers: Array<Answer & { stateAfter?: string }>;
  /** The dashboard offered the action's form (dashboard cells only). */
  offered?: boolean[];
  /** Final state of the run and of each newer attempt, with their histories. */
  runs: Array<{ state: string; attempt: number; history: string[]; result?: unknown }>;
}

const cellName = (kind: Kind, action: string, entry: Entry) => `m-${kind}-${action}-${entry}`;

async function deadline<T>(
  what: string,
  ms: number,
  poll: () => Promise<T | undefined>,
  describe: () => string = () => "",
) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await poll();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`Timed out after ${ms} ms waiting for ${what} ${describe()}`);
}

async function runsByCell(url: string): Promise<Map<string, ApiRun[]>> {
  const { body } = await api<{ items: ApiRun[] }>(url, "GET", "/flow-runs?limit=1000");
  const byCell = new Map<string, ApiRun[]>();
  for (const run of body.items) {
    for (const tag of run.tags) {
      if (tag.startsWith("m-")) byCell.set(tag, [...byCell.get(tag) ?? [], run]);
    }
  }
  for (const runs of byCell.values()) runs.sort((a, b) => a.attempt - b.attempt);
  return byCell;
}

const MOVING = new Set(["SCHEDULED", "PENDING", "RUNNING", "CANCELLING"]);

// Waits until the cell's newest run stops moving: no executor left to change it.
async function settled(url: string, cell: string): Promise<ApiRun[]> {
  let last = "";
  let since = Date.now();
  return await deadline(`cell ${cell} to settle`, 40_000, async () => {
    const runs = (await runsByCell(url)).get(cell) ?? [];
    const newest = runs.at(-1);
    if (!newest || MOVING.has(newest.state) || newest.state_name === "Draining") {
      last = "";
      return undefined;
    }
    const key = runs.map((run) => `${run.id}@${run.version}`).join(",");
    if (key !== last) {
      last = key;
      since = Date.now();
      return undefined;
    }
    return Date.now() - since >= 1_000 ? runs : undefined;
  });
}

async function historyOf(url: string, runId: string) {
  const { body } = await api<{ items: ApiEvent[] }>(url, "GET", `/flow-runs/${runId}/events`);
  const completed = body.items.find((event) => event.to === "COMPLETED");
  const stored = completed?.data?.["result"] as { value?: unknown } | undefined;
  return {
    history: body.items.map((event) => `${event.to}/${event.state_name}/${event.kind}`),
    ...(stored ? { result: stored.value ?? stored } : {}),
  };
}

Deno.test("every operator action ends a run the same way through every entry point", async (t) => {
  await using server = await startMatrixServer();
  const { url, home } = server;
  const local = createSqliteControlPlane(`${home}/ironflow.db`);
  const remote = createRemoteControlPlane({ url });
  const planes: Record<Kind, ControlPlane> = {
    "in-process": local,
    remote,
    deployment: remote,
  };
  const inProcess: Promise<FlowRunOutcome<unknown>>[] = [];
  let script: AsyncDisposable | undefined;
  try {
    // Start every run of every cell.
    const cells = KINDS.flatMap((kind) =>
      Object.entries(ACTIONS).flatMap(([action, spec]) =>
        ENTRIES.map((entry) => ({ kind, action, entry, spec, name: cellName(kind, action, entry) }))
      )
    );
    for (const cell of cells.filter((c) => c.kind === "in-process")) {
      const target = MATRIX_FLOWS[cell.spec.flow] as (typeof MATRIX_FLOWS)["busy"];
      inProcess.push(target.runWith({ plane: local, tags: [cell.name] }, cell.name));
    }
    script = startRemoteScript(
      url,
      cells.filter((c) => c.kind === "remote").map((c) => `${c.name}=${c.spec.flow}`),
    );
    const flowsPath = new URL("../testdata/matrix/flows.ts", import.meta.url).pathname;
    for (const flow of Object.keys(MATRIX_FLOWS)) {
      const created = await api(url, "POST", "/deployments", {
        name: `matrix-${flow}`,
        entrypoint: `${flowsPath}:${flow}`,
        flow_name: `matrix-${flow}`,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    for (const cell of cells.filter((c) => c.kind === "deployment")) {
      const run = await api(url, "POST", `/deployments/matrix-${cell.spec.flow}/run`, {
        parameters: { cell: cell.name },
        tags: [cell.name],
      });
      assert.equal(run.status, 201, JSON.stringify(run.body));
    }

    // Wait until each run is in the state its action needs.
    let waiting: string[] = [];
    const ready = await deadline("every run to be ready", 45_000, async () => {
      const byCell = await runsByCell(url);
      waiting = cells.filter((cell) => byCell.get(cell.name)?.[0]?.state !== cell.spec.ready)
        .map((cell) => `${cell.name}: ${byCell.get(cell.name)?.[0]?.state ?? "no run"}`);
      return waiting.length === 0 ? byCell : undefined;
    }, () => waiting.join(", "));
    // Act through each entry point, all cells at once.
    const outcomes = new Map<string, CellOutcome>();
    await Promise.all(cells.map(async (cell) => {
      const runId = ready.get(cell.name)![0]!.id;
      const outcome: CellOutcome = { answers: [], runs: [] };
      for (const step of cell.spec.steps) {
        let answer: Answer;
        if (cell.entry === "sdk") answer = await viaSdk(planes[cell.kind], runId, step);
        else if (cell.entry === "cli") answer = await viaCli(home, runId, step);
        else if (cell.entry === "api") answer = await viaApi(url, runId, step);
        else {
          const seen = await viaDashboard(url, runId, step, "/deployments/matrix-failing");
          (outcome.offered ??= []).push(seen.offered);
          answer = seen.answer;
        }
        if (!answer.ok) {
          const { body } = await api<{ run: ApiRun }>(url, "GET", `/flow-runs/${runId}`);
          // Runs differ by id only: the message names the run.
          const message = answer.message.replaceAll(runId, "<run>");
          outcome.answers.push({ ok: false, message, stateAfter: body.run.state });
        } else {
          outcome.answers.push(answer);
        }
      }
      for (const run of await settled(url, cell.name)) {
        outcome.runs.push({
          state: run.state,
          attempt: run.attempt,
          ...await historyOf(url, run.id),
        });
      }
      outcomes.set(cell.name, outcome);
    }));
    // The same action on the same kind of run ends the same way through every entry point.
    for (const kind of KINDS) {
      for (const action of Object.keys(ACTIONS)) {
        await t.step(`${kind} × ${action}`, () => {
          const reference = outcomes.get(cellName(kind, action, "api"))!;
          for (const entry of ENTRIES) {
            const outcome = outcomes.get(cellName(kind, action, entry))!;
            assert.deepEqual(
              { answers: outcome.answers, runs: outcome.runs },
              { answers: reference.answers, runs: reference.runs },
              `${entry} disagrees with the HTTP API`,
            );
          }
          assertExpected(
            kind,
            action,
            reference,
            outcomes.get(cellName(kind, action, "dashboard"))!,
          );
        });
      }
    }
  } finally {
    // Stop what is left: cancel live runs so their executors end.
    const byCell = await runsByCell(url).catch(() => new Map<string, ApiRun[]>());
    await Promise.all(
      [...byCell.values()].flat().map(async (run) => {
        if (!["COMPLETED", "FAILED", "CRASHED", "CANCELLED", "CANCELLING"].includes(run.state)) {
          await api(url, "POST", `/flow-runs/${run.id}/cancel`, {}).catch(() => {});
        }
      }),
    );
    await Promise.allSettled(inProcess);
    await script?.[Symbol.asyncDispose]();
    await remote.close();
    await local.close();
  }
});

// What each action must do, beyond agreeing across entry points.
function assertExpected(kind: Kind, action: string, api: CellOutcome, dashboard: CellOutcome) {
  const final = api.runs.at(-1)!;
  const finalName = final.history.at(-1);
  switch (action) {
    case "cancel":
      assert.deepEqual(api.answers, [{ ok: true }]);
      assert.equal(final.state, "CANCELLED");
      break;
    case "pause-drain":
      assert.deepEqual(api.answers, [{ ok: true }]);
      assert.equal(finalName, "PAUSED/Paused/drained");
      break;
    case "pause-terminate":
      assert.deepEqual(api.answers, [{ ok: true }]);
      assert.equal(final.state, "PAUSED");
      assert.match(finalName!, /^PAUSED\/Suspended\//);
      break;
    case "resume":
      assert.deepEqual(api.answers, [{ ok: true }]);
      assert.equal(final.state, "COMPLETED");
      break;
    case "resume-input": {
      const [invalid, valid] = api.answers;
      assert.equal(invalid?.ok, false);
      assert.equal(invalid?.stateAfter, "PAUSED");
      assert.match((invalid as { message: string }).message, /Invalid input .*n: /);
      assert.deepEqual(valid, { ok: true });
      assert.equal(final.state, "COMPLETED");
      assert.deepEqual(final.result, { n: 7 });
      break;
    }
    case "retry":
      if (kind === "deployment") {
        assert.deepEqual(api.answers, [{ ok: true }]);
        assert.deepEqual(api.runs.map((run) => [run.attempt, run.state]), [[1, "FAILED"], [
          2,
          "FAILED",
        ]]);
      } else {
        assert.equal(api.answers[0]?.ok, false);
        assert.match((api.answers[0] as { message: string }).message, /belongs to no deployment/);
        assert.deepEqual(api.runs.map((run) => run.state), ["FAILED"]);
      }
      break;
  }
  // The dashboard offers each action it performs (and no retry of a run of no deployment).
  const offered = action === "retry" && kind !== "deployment" ? false : true;
  assert.deepEqual(dashboard.offered?.[0], offered);
}
