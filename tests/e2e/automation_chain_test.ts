/**
 * Events and automations end to end with real processes: `ironflow server
 * start` on a temporary home and `ironflow worker start`, a webhook called
 * by another service, automation A (the webhook's event runs a deployment
 * with parameters from the event) and automation B (a run of that deployment
 * entered Failed: an HTTP notification to a receiver on 127.0.0.1 whose
 * header reads a secret). The receiver checks what it got; the firings and
 * action results are in the event log; the secret appears in no event, API
 * answer or server log; and a restart of the server (SIGTERM, start again on
 * the same home) does not fire B a second time.
 *
 * Prefect 3 pages: https://docs.prefect.io/v3/automate/events/webhook-triggers,
 * https://docs.prefect.io/v3/automate/events/automations-triggers
 */
import assert from "node:assert/strict";
import { freePort, kill, MAIN, until } from "./_kill.ts";

const FLOWS = new URL("../testdata/deployments/", import.meta.url).pathname;
const SECRET_KEY = "an automation chain test key of some length";
const RECEIVER_TOKEN = `tok-${crypto.randomUUID()}`;
const WAIT_MS = 90_000;

interface Received {
  authorization: string | null;
  body: Record<string, unknown>;
}

/** An HTTP receiver on 127.0.0.1 that records what it is sent. */
function startReceiver(received: Received[]) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received.push({ authorization: req.headers.get("authorization"), body: await req.json() });
    return new Response(null, { status: 204 });
  });
}

/** `ironflow server start` on `home`; its output is collected until it exits. */
function startServer(home: string, port: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "server",
      "start",
      "--home",
      home,
      "--port",
      String(port),
      "--no-worker",
    ],
    env: {
      NO_COLOR: "1",
      IRONFLOW_SECRET_KEY: SECRET_KEY,
      IRONFLOW_NODE_ID: "chain-node",
      IRONFLOW_SERVICES_INTERVAL_MS: "200",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
    .then(([out, err]) => out + err);
  return { child, output };
}

async function healthy(url: string): Promise<true | undefined> {
  try {
    const res = await fetch(`${url}/health`);
    await res.body?.cancel();
    return res.ok ? true : undefined;
  } catch {
    return undefined;
  }
}

Deno.test({
  name:
    "a webhook call runs a deployment through automation A; its failure notifies a receiver through automation B, once across a restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_automation_chain_" });
    const received: Received[] = [];
    const receiver = startReceiver(received);
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const answers: string[] = [];
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(`${url}/api${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      answers.push(text);
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    let server = startServer(home, port);
    const logs: string[] = [];
    const worker = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "worker", "start", "--pool", "default", "--name", "chain-worker"],
      env: { NO_COLOR: "1", IRONFLOW_API_URL: url, IRONFLOW_HOME: `${home}/worker` },
      cwd: FLOWS,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await until(() => healthy(url), "the server to answer", WAIT_MS);

      // 1. The setup a user makes over the API.
      await api("PUT", "/secrets/receiver_token", { value: RECEIVER_TOKEN });
      const webhook = await api("PUT", "/webhooks/files", {
        template: {
          event: "acme.file.landed",
          resource: "acme.bucket.{{ body.bucket }}",
          payload: { name: "{{ body.name }}", fail: "{{ body.fail }}" },
        },
      });
      const deployment = await api("POST", "/deployments", {
        name: "ingest",
        entrypoint: "./ingest.ts:ingest",
        parameters: { file: "none" },
      });
      await api("POST", "/automations", {
        name: "ingest-on-landing",
        trigger: { type: "event", match: ["acme.file.landed"] },
        actions: [{
          type: "run-deployment",
          deployment: "ingest",
          parameters: { file: "{{ event.payload.name }}", fail: "{{ event.payload.fail }}" },
        }],
      });
      const receiverUrl = `http://127.0.0.1:${receiver.addr.port}/hook`;
      await api("POST", "/automations", {
        name: "notify-on-failure",
        trigger: { type: "run-state", deployment: "ingest", states: ["Failed"] },
        actions: [{
          type: "http",
          url: receiverUrl,
          headers: { Authorization: "Bearer {{ secrets.receiver_token }}" },
          body: {
            run_id: "{{ flow_run.id }}",
            deployment: "{{ deployment.name }}",
            file: "{{ flow_run.parameters.file }}",
            firing: "{{ firing.id }}",
          },
          retries: 5,
        }],
      });

      // 2. Another service calls the webhook with its token.
      const called = await api(
        "POST",
        "/webhooks/files",
        { bucket: "raw", name: "sales.csv", fail: true },
        webhook.token,
      );
      assert.equal(called.event, "acme.file.landed");

      // 3. A runs the deployment, the worker runs it and it fails, B notifies.
      await until(() => received.length > 0 || undefined, "the failure notification", WAIT_MS);
      const runs = await api("GET", `/flow-runs?deployment_id=${deployment.id}`);
      assert.equal(runs.items.length, 1, "automation A made one run");
      const run = runs.items[0];
      assert.equal(run.state, "FAILED");
      assert.deepEqual(run.parameters, { file: "sales.csv", fail: true });
      assert.equal(received.length, 1);
      assert.equal(received[0]!.authorization, `Bearer ${RECEIVER_TOKEN}`);
      assert.deepEqual(
        { ...received[0]!.body, firing: typeof received[0]!.body["firing"] },
        { run_id: run.id, deployment: "ingest", file: "sales.csv", firing: "string" },
      );

      // 4. Firings and action results are in the event log.
      const results = await until(
        async () => {
          const page = await api("GET", "/events?prefix=ironflow.automation.&limit=50");
          const names = page.items.map((e: { event: string }) => e.event);
          return names.filter((n: string) => n === "ironflow.automation.action.succeeded")
              .length === 2
            ? page.items
            : undefined;
        },
        "both action results",
        WAIT_MS,
      );
      const named = (event: string) =>
        results.filter((e: { event: string }) => e.event === event).map((
          e: { payload: Record<string, unknown> },
        ) => e.payload);
      assert.deepEqual(
        named("ironflow.automation.triggered").map((p: Record<string, unknown>) => p["automation"]),
        ["ingest-on-landing", "notify-on-failure"],
      );
      const succeeded = named("ironflow.automation.action.succeeded");
      assert.deepEqual(
        succeeded.map((p: Record<string, unknown>) => [p["automation"], p["detail"]]),
        [
          ["ingest-on-landing", { flow_run_id: run.id }],
          ["notify-on-failure", { status: 204 }],
        ],
      );
      await api("GET", "/automations/notify-on-failure");

      // 5. A restart on the same home: B does not fire again.
      server.child.kill("SIGTERM");
      assert.equal((await server.child.status).code, 0, "the server stops cleanly on SIGTERM");
      logs.push(await server.output);
      server = startServer(home, port);
      await until(() => healthy(url), "the restarted server to answer", WAIT_MS);
      // A later chain through the restarted server's services loop: once its run completed and
      // A's action result is recorded, the loop has passed over everything B saw before.
      await api(
        "POST",
        "/webhooks/files",
        { bucket: "raw", name: "ok.csv", fail: false },
        webhook.token,
      );
      await until(
        async () => {
          const page = await api("GET", `/flow-runs?deployment_id=${deployment.id}`);
          return page.items.some((r: { state: string }) => r.state === "COMPLETED") || undefined;
        },
        "the second run to complete",
        WAIT_MS,
      );
      await until(
        async () => {
          const page = await api("GET", "/automations/ingest-on-landing/firings");
          return page.items.length === 2 && page.items.every((f: { done: boolean }) => f.done) ||
            undefined;
        },
        "A's second firing to finish",
        WAIT_MS,
      );
      const firingsOfB = await api("GET", "/automations/notify-on-failure/firings");
      assert.equal(firingsOfB.items.length, 1, "B fired once");
      assert.equal(received.length, 1, "the receiver was notified once");

      // 6. The secret is nowhere it could be read back.
      await api("GET", "/events?limit=500");
      server.child.kill("SIGTERM");
      await server.child.status;
      logs.push(await server.output);
      for (
        const [where, text] of [["API answers", answers.join("\n")], [
          "server logs",
          logs.join("\n"),
        ]]
      ) {
        assert.ok(!text!.includes(RECEIVER_TOKEN), `the secret is not in the ${where}`);
      }
    } finally {
      kill(server.child);
      kill(worker);
      await worker.status;
      await server.child.status;
      await server.output;
      await receiver.shutdown();
      await Deno.remove(home, { recursive: true });
    }
  },
});
