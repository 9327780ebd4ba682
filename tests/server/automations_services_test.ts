/**
 * Automations in the services loop, on a SQLite file and a fake clock: each
 * firing happens once, across a restart in the middle of a window, and its
 * actions run with their results recorded as events.
 */
import assert from "node:assert/strict";
import { type Automation, putAutomation } from "../../engine/automations/mod.ts";
import { appendEvents, readEvents } from "../../engine/events/mod.ts";
import { claimRuns, createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";
import { createMemoryStore, createSqliteStore, type Engine, FakeClock } from "../../engine/mod.ts";
import { createScheduler } from "../../server/services/services_loop.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import { SecretCipher, SecretService } from "../../engine/secrets/mod.ts";
import { openSqliteFixture, T0, testEngine } from "../engine/_helpers.ts";

const S = 1000;

function automation(fields: Partial<Automation>): Automation {
  return {
    id: "a1",
    name: "three-failures",
    description: "",
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
    trigger: {
      type: "event",
      posture: "reactive",
      match: ["acme.fail"],
      threshold: 3,
      withinSeconds: 60,
    },
    actions: [{ type: "emit-event", event: "acme.alert", resource: "acme.pager" }],
    ...fields,
  };
}

/** Fires on each `acme.fail` event. */
const ON_EVERY_FAIL: Automation["trigger"] = {
  type: "event",
  posture: "reactive",
  match: ["acme.fail"],
  threshold: 1,
  withinSeconds: 0,
};

async function post(engine: Engine, clock: FakeClock, event: string): Promise<void> {
  await engine.transact((tx) =>
    appendEvents(tx, [{ event, resource: "acme.job" }], { now: clock.now() })
  );
}

function named(engine: Engine, clock: FakeClock, prefix: string): string[] {
  return readEvents(engine.reader, {
    now: clock.now(),
    limit: 1000,
    filter: { prefixes: [prefix] },
  })
    .items.map((e) => e.event);
}

Deno.test("a reactive automation fires once across a restart in the middle of its window", async () => {
  await using fixture = await openSqliteFixture();
  const clock = new FakeClock(T0);
  const first = testEngine(fixture.store, { clock }).engine;
  await first.transact((tx) => putAutomation(tx, automation({}), clock.now()));
  const before = createScheduler({ engine: first, clock, holder: "node" });
  await before.tick();
  clock.tick(10 * S);
  await post(first, clock, "acme.fail");
  clock.tick(10 * S);
  await post(first, clock, "acme.fail");
  assert.deepEqual((await before.tick()).firings, []);
  await first.flush();

  // The server restarts: a new engine on the same file, a new services loop.
  const store = createSqliteStore(fixture.path);
  const engine = testEngine(store, { clock }).engine;
  try {
    const after = createScheduler({ engine, clock, holder: "node" });
    clock.tick(10 * S);
    await post(engine, clock, "acme.fail");
    assert.equal((await after.tick()).firings.length, 1, "the third failure within 60 s fires");
    assert.deepEqual((await after.tick()).firings, [], "and only once");
    clock.tick(10 * S);
    assert.deepEqual((await after.tick()).firings, []);
    assert.deepEqual(named(engine, clock, "ironflow.automation."), [
      "ironflow.automation.triggered",
      "ironflow.automation.action.succeeded",
    ]);
    assert.deepEqual(named(engine, clock, "acme.alert"), ["acme.alert"]);
  } finally {
    await engine.close();
  }
});

Deno.test("a proactive automation fires once when the window passes without the event, across a restart", async () => {
  await using fixture = await openSqliteFixture();
  const clock = new FakeClock(T0);
  const first = testEngine(fixture.store, { clock }).engine;
  await first.transact((tx) =>
    putAutomation(
      tx,
      automation({
        name: "no-completion-in-an-hour",
        trigger: {
          type: "event",
          posture: "proactive",
          match: ["ironflow.flow-run.Completed"],
          threshold: 1,
          withinSeconds: 3600,
        },
      }),
      clock.now(),
    )
  );
  await createScheduler({ engine: first, clock, holder: "node" }).tick();
  clock.tick(1800 * S);
  await createScheduler({ engine: first, clock, holder: "node" }).tick();
  await first.flush();

  const engine = testEngine(createSqliteStore(fixture.path), { clock }).engine;
  try {
    const after = createScheduler({ engine, clock, holder: "node" });
    clock.tick(1799 * S);
    assert.deepEqual((await after.tick()).firings, [], "the window is not over yet");
    clock.tick(2 * S);
    assert.equal((await after.tick()).firings.length, 1, "the hour passed without a completion");
    assert.deepEqual((await after.tick()).firings, []);
    assert.deepEqual(named(engine, clock, "ironflow.automation.triggered").length, 1);
  } finally {
    await engine.close();
  }
});

Deno.test("an HTTP notification is retried on later ticks and its result recorded", async () => {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(createMemoryStore(), {
    clock,
  });
  const bodies: unknown[] = [];
  let answers = [500, 503, 200];
  const fakeFetch: typeof fetch = async (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    const status = answers[0]!;
    answers = answers.slice(1);
    return await Promise.resolve(new Response(null, { status }));
  };
  await engine.transact((tx) =>
    putAutomation(
      tx,
      automation({
        trigger: ON_EVERY_FAIL,
        actions: [{
          type: "http",
          url: "http://127.0.0.1:1/hook",
          body: {
            text: "{{ event.event }} on {{ event.resource }}",
            n: "{{ firing.count }}",
            team: "{{ variables.team }}",
          },
          retries: 3,
        }],
      }),
      clock.now(),
    )
  );
  await new VariableService({ engine, clock }).set("team", { name: "data" });
  const services = createScheduler({ engine, clock, holder: "node", fetch: fakeFetch });
  await services.tick();
  await post(engine, clock, "acme.fail");
  await services.tick();
  for (let i = 0; i < 5; i++) {
    clock.tick(60 * S);
    await services.tick();
  }
  assert.equal(bodies.length, 3, "two failures, then a success; no more tries");
  assert.deepEqual(bodies[2], { text: "acme.fail on acme.job", n: 1, team: { name: "data" } });
  assert.deepEqual(named(engine, clock, "ironflow.automation.action"), [
    "ironflow.automation.action.succeeded",
  ]);
  await engine.close();
});

Deno.test("a run-deployment action creates one run with parameters from the event", async () => {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(createMemoryStore(), {
    clock,
  });
  const deployments = new DeploymentService(engine);
  await deployments.create({ name: "ingest", entrypoint: "./flows/ingest.ts:ingest" });
  await engine.transact((tx) =>
    putAutomation(
      tx,
      automation({
        trigger: {
          type: "event",
          posture: "reactive",
          match: ["acme.file.*"],
          threshold: 1,
          withinSeconds: 0,
        },
        actions: [{
          type: "run-deployment",
          deployment: "ingest",
          parameters: { file: "{{ event.payload.name }}" },
        }],
      }),
      clock.now(),
    )
  );
  const services = createScheduler({ engine, clock, holder: "node" });
  await services.tick();
  await engine.transact((tx) =>
    appendEvents(tx, [{
      event: "acme.file.landed",
      resource: "acme.b",
      payload: { name: "a.csv" },
    }], {
      now: clock.now(),
    })
  );
  await services.tick();
  await services.tick();
  const runs = engine.listRuns({ deploymentId: deployments.get("ingest").id }).items;
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0]!.parameters, { file: "a.csv" });
  await engine.close();
});

/** An engine with an HTTP-notification automation on `acme.fail` whose header reads a secret. */
async function secretHeaderSetup(headers: Record<string, string>) {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(createMemoryStore(), { clock });
  const secretCipher = await SecretCipher.fromKey("a key of sixteen or more characters");
  await new SecretService({ engine, clock, cipher: secretCipher }).set(
    "hook_token",
    "s3cr3t-v4lue",
  );
  await engine.transact((tx) =>
    putAutomation(
      tx,
      automation({
        trigger: ON_EVERY_FAIL,
        actions: [{
          type: "http",
          url: "http://127.0.0.1:1/hook",
          body: { on: "{{ event.resource }}" },
          headers,
          retries: 0,
        }],
      }),
      clock.now(),
    )
  );
  return { clock, engine, secretCipher };
}

function actionEvents(engine: Engine, clock: FakeClock) {
  return readEvents(engine.reader, {
    now: clock.now(),
    limit: 1000,
    filter: { prefixes: ["ironflow.automation.action"] },
  }).items;
}

Deno.test("an HTTP notification header reads a secret, which is sent but never recorded", async () => {
  const { clock, engine, secretCipher } = await secretHeaderSetup({
    Authorization: "Bearer {{ secrets.hook_token }}",
    "X-Team": "data",
  });
  const sent: Headers[] = [];
  const fakeFetch: typeof fetch = (_url, init) => {
    sent.push(new Headers(init?.headers));
    // An error text that quotes the header must not carry the secret into the log.
    return Promise.reject(new Error(`refused ${new Headers(init?.headers).get("authorization")}`));
  };
  const services = createScheduler({
    engine,
    clock,
    holder: "node",
    fetch: fakeFetch,
    secretCipher,
  });
  await services.tick();
  await post(engine, clock, "acme.fail");
  await services.tick();
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.get("authorization"), "Bearer s3cr3t-v4lue");
  assert.equal(sent[0]!.get("x-team"), "data");
  const [result] = actionEvents(engine, clock);
  assert.equal(result?.event, "ironflow.automation.action.failed");
  assert.equal(result?.payload["message"], "refused Bearer [secret]");
  const everything = JSON.stringify(
    readEvents(engine.reader, { now: clock.now(), limit: 1000 }).items,
  );
  assert.ok(!everything.includes("s3cr3t-v4lue"), "no event holds the secret");
  await engine.close();
});

Deno.test("an HTTP notification reading an unknown secret records a clear failure and sends nothing", async (t) => {
  for (
    const [name, headers, withKey, message] of [
      [
        "unknown secret",
        { Authorization: "Bearer {{ secrets.no_such }}" },
        true,
        'Secret "no_such" (used in header "Authorization") does not exist: nothing was sent',
      ],
      [
        "a name no secret can have",
        { "X-Token": "{{ secrets.not.a.name }}" },
        true,
        'Secret "not.a.name" (used in header "X-Token") cannot be read: Secret name "not.a.name" is invalid: use 1 to 255 lowercase letters, digits, "_" or "-"; nothing was sent',
      ],
      [
        "no secret key on the server",
        { "X-Token": "{{ secrets.hook_token }}" },
        false,
        'Header "X-Token" reads secret "hook_token" but IRONFLOW_SECRET_KEY is not set on the server: nothing was sent',
      ],
    ] as const
  ) {
    await t.step(name, async () => {
      const { clock, engine, secretCipher } = await secretHeaderSetup({ ...headers });
      let calls = 0;
      const fakeFetch: typeof fetch = () => {
        calls++;
        return Promise.resolve(new Response(null, { status: 200 }));
      };
      const services = createScheduler({
        engine,
        clock,
        holder: "node",
        fetch: fakeFetch,
        ...(withKey ? { secretCipher } : {}),
      });
      await services.tick();
      await post(engine, clock, "acme.fail");
      await services.tick();
      clock.tick(60 * S);
      await services.tick();
      assert.equal(calls, 0, "no request is sent");
      const results = actionEvents(engine, clock);
      assert.deepEqual(results.map((e) => e.event), ["ironflow.automation.action.failed"]);
      assert.equal(results[0]!.payload["message"], message);
      await engine.close();
    });
  }
});

// https://docs.prefect.io/v3/automate/events/automations-triggers (templates read flow_run and deployment)
Deno.test("an action on a run-state firing reads the flow run and its deployment in templates", async () => {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(createMemoryStore(), { clock });
  const deployment = await new DeploymentService(engine).create({
    name: "ingest",
    entrypoint: "./ingest.ts:ingest",
  });
  await engine.transact((tx) =>
    putAutomation(
      tx,
      automation({
        trigger: { type: "run-state", deploymentId: deployment.id, states: ["Failed"] },
        actions: [{
          type: "http",
          url: "http://127.0.0.1:1/hook",
          body: {
            run: "{{ flow_run.id }}",
            deployment: "{{ deployment.name }}",
            file: "{{ flow_run.parameters.file }}",
            text: "{{ flow_run.name }} ended {{ flow_run.state_name }}: {{ flow_run.message }}",
          },
        }],
      }),
      clock.now(),
    )
  );
  const bodies: Record<string, unknown>[] = [];
  const fakeFetch: typeof fetch = (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    return Promise.resolve(new Response(null, { status: 204 }));
  };
  const services = createScheduler({ engine, clock, holder: "node", fetch: fakeFetch });
  await services.tick();
  const run = await createDeploymentRun(engine, deployment, { parameters: { file: "a.csv" } });
  await claimRuns(engine, "default", { workerId: "w1" });
  await engine.propose(run.id, { to: "RUNNING", token: "start", kind: "start" });
  await engine.propose(run.id, {
    to: "FAILED",
    token: "fail",
    kind: "fail",
    data: { message: "bad file" },
  });
  await services.tick();
  const name = engine.getRun(run.id)!.runName;
  assert.deepEqual(bodies, [{
    run: run.id,
    deployment: "ingest",
    file: "a.csv",
    text: `${name} ended Failed: bad file`,
  }]);
  await engine.close();
});
