/**
 * The processes and entry points of the action matrix
 * (`action_matrix_test.ts`): an `ironflow server start` subprocess on a
 * temporary home with a worker subprocess, and one function per entry point
 * (SDK, CLI, HTTP API, dashboard form) that performs an operator action and
 * answers what the caller saw.
 */
import type { Json } from "../../engine/mod.ts";
import { cancelFlowRun, type ControlPlane, pauseFlowRun, resumeFlowRun } from "../../sdk/mod.ts";
import { runDeno } from "./_deno.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** An operator action of the matrix. */
export type Action =
  | { name: "cancel" }
  | { name: "pause"; mode: "drain" | "terminate" }
  | { name: "resume"; input?: Json }
  | { name: "retry" };

/** What the caller of an action saw: done, or refused with a message. */
export type Answer = { ok: true } | { ok: false; message: string };

/** A background `ironflow` subprocess. */
interface Background extends AsyncDisposable {
  readonly stdout: Promise<string>;
}

function spawn(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

// Reads a child's output to the end, handing each line to `onLine`.
async function drain(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void = () => {},
): Promise<string> {
  let all = "";
  let pending = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const chunk = decoder.decode(bytes, { stream: true });
    all += chunk;
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    lines.forEach(onLine);
  }
  return all;
}

function background(child: Deno.ChildProcess, onLine?: (line: string) => void): Background {
  const stdout = drain(child.stdout, onLine);
  const stderr = drain(child.stderr);
  return {
    stdout,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Gone meanwhile.
        }
      }, 5_000);
      await child.status;
      clearTimeout(killer);
      await Promise.all([stdout, stderr]);
    },
  };
}

/** A server subprocess on `home` with a worker subprocess on its default pool. */
export interface MatrixServer extends AsyncDisposable {
  readonly url: string;
  readonly home: string;
}

/** Starts `ironflow server start --no-worker` and `ironflow worker start` on a fresh home. */
export async function startMatrixServer(): Promise<MatrixServer> {
  const home = await Deno.makeTempDir({ prefix: "ironflow-matrix-" });
  const env = { IRONFLOW_HOME: home, IRONFLOW_SERVICES_INTERVAL_MS: "250" };
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => listening = resolve);
  const server = background(
    spawn(["server", "start", "--port", "0", "--home", home, "--no-worker"], env),
    (line) => {
      const found = line.match(/serving the dashboard at (http:\/\/\S+?)\/?$/);
      if (found) listening(found[1]!);
    },
  );
  const timeout = AbortSignal.timeout(30_000);
  const served = await Promise.race([
    url,
    server.stdout.then(() => undefined),
    new Promise<undefined>((resolve) =>
      timeout.addEventListener("abort", () => resolve(undefined))
    ),
  ]);
  if (served === undefined) {
    await server[Symbol.asyncDispose]();
    throw new Error("The matrix server did not start within 30 s");
  }
  const worker = background(
    spawn(["worker", "start", "--limit", "40", "--name", "matrix"], {
      ...env,
      IRONFLOW_API_URL: served,
    }),
  );
  return {
    url: served,
    home,
    async [Symbol.asyncDispose]() {
      await worker[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts the remote flow script with one `cell=flow` argument per run. */
export function startRemoteScript(url: string, cells: readonly string[]): Background {
  const script = new URL("../testdata/matrix/remote_script.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, script, ...cells],
    env: { NO_COLOR: "1", IRONFLOW_API_URL: url },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return background(child);
}

/** One JSON request to the API; throws on a status of 500 or more. */
export async function api<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}/api${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = text === "" ? undefined : JSON.parse(text);
  if (response.status >= 500) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
  return { status: response.status, body: parsed as T };
}

/** Performs `action` on `runId` through the SDK on `plane`. */
export async function viaSdk(plane: ControlPlane, runId: string, action: Action): Promise<Answer> {
  try {
    switch (action.name) {
      case "cancel":
        await cancelFlowRun(runId, { plane });
        break;
      case "pause":
        await pauseFlowRun(runId, { mode: action.mode, plane });
        break;
      case "resume":
        await resumeFlowRun(runId, {
          plane,
          ...("input" in action ? { input: action.input } : {}),
        });
        break;
      case "retry":
        // The operator's retry, queued for the run's pool (retryFlowRun() instead runs a
        // new attempt in this process, where the flow is defined).
        await plane.actions.retry(runId);
        break;
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Performs `action` on `runId` with `ironflow flow-run ...` on `home`. */
export async function viaCli(home: string, runId: string, action: Action): Promise<Answer> {
  const args = ["flow-run", action.name, runId];
  if (action.name === "pause") args.push("--mode", action.mode);
  if (action.name === "resume" && action.input !== undefined) {
    args.push("--input", JSON.stringify(action.input));
  }
  const output = await runDeno(["run", "-A", "--config", CONFIG, MAIN, ...args], {
    env: { IRONFLOW_HOME: home },
  });
  if (output.code === 0) return { ok: true };
  const line = output.stderr.split("\n").find((l) => l.startsWith("Error: "));
  return { ok: false, message: line?.slice("Error: ".length) ?? output.stderr.trim() };
}

/** Performs `action` on `runId` with `POST /api/flow-runs/{id}/{action}`. */
export async function viaApi(url: string, runId: string, action: Action): Promise<Answer> {
  const body = action.name === "pause"
    ? { mode: action.mode }
    : action.name === "resume" && action.input !== undefined
    ? { input: action.input }
    : {};
  const answer = await api<{ error?: { message: string } }>(
    url,
    "POST",
    `/flow-runs/${runId}/${action.name}`,
    body,
  );
  if (answer.status < 300) return { ok: true };
  return { ok: false, message: answer.body.error?.message ?? `status ${answer.status}` };
}

function unescapeHtml(text: string): string {
  return text.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** What a dashboard visitor sees: whether the run page offers the action's form, and its flash. */
export interface DashboardAnswer {
  answer: Answer;
  /** The run page offered a form for the action before it was posted. */
  offered: boolean;
}

const tokenOf = (page: string) => page.match(/name="_csrf" value="([^"]+)"/)?.[1];

/**
 * Performs `action` on `runId` with the run page's form, as a browser posts
 * it. When the page offers no form at all, the form is posted as a stale page
 * would, with the token of `tokenPage` (a page of the same session).
 */
export async function viaDashboard(
  url: string,
  runId: string,
  action: Action,
  tokenPage: string,
): Promise<DashboardAnswer> {
  const page = await (await fetch(`${url}/runs/${runId}`)).text();
  const csrf = tokenOf(page) ?? tokenOf(await (await fetch(`${url}${tokenPage}`)).text());
  if (!csrf) {
    throw new Error(`Neither the page of run "${runId}" nor ${tokenPage} has a form token`);
  }
  const offered = page.includes(`action="/runs/${runId}/${action.name}"`);
  const form = new URLSearchParams({ _csrf: csrf });
  if (action.name === "pause") form.set("mode", action.mode);
  if (action.name === "resume" && action.input !== undefined) {
    form.set("input", JSON.stringify(action.input));
  }
  const posted = await fetch(`${url}/runs/${runId}/${action.name}`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { origin: url, "sec-fetch-site": "same-origin" },
  });
  // A refused resume input comes back at once (400) with its form; anything
  // else redirects to the run page with a one-time message.
  const refusedInput = action.name === "resume" && posted.status === 400;
  const body = refusedInput ? await posted.text() : (await posted.body?.cancel(), "");
  const location = posted.headers.get("location");
  if (!refusedInput && (posted.status !== 303 || !location)) {
    throw new Error(`The ${action.name} form answered ${posted.status}`);
  }
  const after = refusedInput ? body : await (await fetch(new URL(location!, url))).text();
  const flash = after.match(/<div class="flash( bad)?" role="status">([^<]*)<\/div>/);
  if (!flash) throw new Error(`No flash message after the ${action.name} form`);
  const message = unescapeHtml(flash[2]!);
  return { offered, answer: flash[1] ? { ok: false, message } : { ok: true } };
}
