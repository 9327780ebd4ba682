/**
 * `ironflow server services start`: the services loop without an HTTP
 * listener, beside a `server start --no-services` that serves the API, on
 * one embedded home. Prefect 3 splits its server the same way
 * (https://docs.prefect.io/v3/api-ref/cli/server, "prefect server services start").
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { FLOWS, freePort, ironflow, spawnIronflow, tempHome } from "./_cli.ts";
import { freshPostgresDatabase, POSTGRES_SKIP, POSTGRES_URL } from "../engine/_helpers.ts";

const MANIFEST = `deployments:
  - name: squares-every-minute
    entrypoint: ${FLOWS}:squares
    parameters: { n: 2 }
    work_pool: default
    schedules:
      - interval: 60
`;

interface Inspect {
  runs: Array<{ id: string; state: string }>;
}

function leaseHolder(home: string): string | undefined {
  const db = new DatabaseSync(`${home}/ironflow.db`, { readOnly: true });
  try {
    const row = db.prepare(
      "SELECT data FROM documents WHERE collection = 'service_leader' AND key = 'services'",
    ).get() as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as { holder: string }).holder : undefined;
  } finally {
    db.close();
  }
}

Deno.test("server services start creates the scheduled runs while server start --no-services serves the API", async () => {
  await using home = await tempHome();
  await Deno.writeTextFile(`${home.path}/ironflow.yaml`, MANIFEST);
  const url = `http://127.0.0.1:${freePort()}`;
  await using server = spawnIronflow(home.path, [
    "server",
    "start",
    "--port",
    url.split(":").at(-1)!,
    "--no-services",
    "--no-worker",
  ]);
  await server.waitFor(/services loop off \(--no-services\)/);
  const deploy = await ironflow(home.path, ["deploy", "--all", "--api-url", url], {
    cwd: home.path,
  });
  assert.equal(deploy.code, 0, deploy.stderr);
  const inspect = async () => {
    const out = await ironflow(home.path, [
      "deployment",
      "inspect",
      "squares-every-minute",
      "--json",
      "--api-url",
      url,
    ]);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as Inspect;
  };
  // Nobody runs the services loop yet: the API alone schedules nothing.
  assert.deepEqual((await inspect()).runs, []);

  await using services = spawnIronflow(home.path, ["server", "services", "start"], {
    env: { IRONFLOW_SERVICES_INTERVAL_MS: "200", IRONFLOW_NODE_ID: "services-a" },
  });
  const printed = await services.waitFor(/node services-a leads/);
  assert.match(printed, /^IronFlow services loop started \(no HTTP listener\)$/m);
  assert.match(printed, new RegExp(`^  home {10}${home.path}$`, "m"));
  assert.match(
    printed,
    /^ {2}services {6}schedules, late runs, claims, reaper, retention, automations$/m,
  );
  let runs: Inspect["runs"] = [];
  for (let i = 0; i < 100 && runs.length === 0; i++) {
    runs = (await inspect()).runs;
    if (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(runs.length > 0, "the services loop created no scheduled run");
  assert.ok(runs.every((run) => run.state === "SCHEDULED"), JSON.stringify(runs));
  assert.equal(leaseHolder(home.path), "services-a");

  const stopped = await services.stop("SIGINT");
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /IronFlow services loop stopped \(lease released\)\n$/);
  // Released at once, so another node leads without waiting for the lease to expire.
  assert.equal(leaseHolder(home.path), undefined);
});

Deno.test("server services start stands by while a server leads, and takes over when it stops", async () => {
  await using home = await tempHome();
  const port = String(freePort());
  const server = spawnIronflow(home.path, ["server", "start", "--port", port, "--no-worker"], {
    env: { IRONFLOW_SERVICES_INTERVAL_MS: "200", IRONFLOW_NODE_ID: "api-1" },
  });
  try {
    await server.waitFor(/node api-1 leads/);
    await using services = spawnIronflow(home.path, ["server", "services", "start"], {
      env: { IRONFLOW_SERVICES_INTERVAL_MS: "200", IRONFLOW_NODE_ID: "services-b" },
    });
    await services.waitFor(/node services-b stands by while api-1 leads/);
    assert.equal((await server.stop("SIGTERM")).code, 0);
    await services.waitFor(/node services-b leads/);
    assert.equal((await services.stop("SIGTERM")).code, 0);
  } finally {
    await server.stop("SIGKILL");
  }
});

Deno.test("server services start refuses a bad interval and an unknown subcommand", async (t) => {
  await using home = await tempHome();
  await t.step("--interval-ms 0", async () => {
    const out = await ironflow(home.path, ["server", "services", "start", "--interval-ms", "0"]);
    assert.equal(out.code, 1);
    assert.equal(
      out.stderr.trim(),
      'Error: --interval-ms must be a positive number of milliseconds, got "0"',
    );
  });
  await t.step("--help", async () => {
    const out = await ironflow(home.path, ["server", "services", "--help"]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^Usage: ironflow server services start /);
  });
  await t.step("services stop", async () => {
    const out = await ironflow(home.path, ["server", "services", "stop"]);
    assert.equal(out.code, 1);
    assert.match(
      out.stderr,
      /^Error: Unknown server services command "stop"\.\n\nUsage: ironflow server services start/,
    );
  });
  await t.step("a --database-url that is not PostgreSQL", async () => {
    const out = await ironflow(home.path, [
      "server",
      "services",
      "start",
      "--database-url",
      "mysql://x",
    ]);
    assert.equal(out.code, 1);
    assert.equal(
      out.stderr.trim(),
      'Error: --database-url must be postgres://user:password@host:port/database, got "mysql:…"',
    );
  });
});

Deno.test({
  name: `server services start on a PostgreSQL database schedules beside an API-only server${
    POSTGRES_URL ? "" : ` (${POSTGRES_SKIP})`
  }`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using home = await tempHome();
    await using database = await freshPostgresDatabase();
    await Deno.writeTextFile(`${home.path}/ironflow.yaml`, MANIFEST);
    const port = String(freePort());
    const url = `http://127.0.0.1:${port}`;
    // A long lease: only a clean release lets the next node lead at once.
    const env = { IRONFLOW_SERVICES_INTERVAL_MS: "200", IRONFLOW_LEADER_LEASE_MS: "60000" };
    await using server = spawnIronflow(home.path, [
      "server",
      "start",
      "--database-url",
      database.url,
      "--port",
      port,
      "--no-services",
      "--no-worker",
    ]);
    await server.waitFor(/services loop off/);
    const deploy = await ironflow(home.path, ["deploy", "--all", "--api-url", url], {
      cwd: home.path,
    });
    assert.equal(deploy.code, 0, deploy.stderr);
    const services = spawnIronflow(home.path, [
      "server",
      "services",
      "start",
      "--database-url",
      database.url,
      "--node-id",
      "pg-a",
    ], { env });
    try {
      const printed = await services.waitFor(/node pg-a leads/);
      assert.match(printed, /^ {2}home {10}PostgreSQL \(--database-url\)$/m);
      let runs: Inspect["runs"] = [];
      for (let i = 0; i < 100 && runs.length === 0; i++) {
        const out = await ironflow(home.path, [
          "deployment",
          "inspect",
          "squares-every-minute",
          "--json",
          "--api-url",
          url,
        ]);
        runs = (JSON.parse(out.stdout) as Inspect).runs;
        if (runs.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(runs.length > 0, "the services loop created no scheduled run");
      assert.equal((await services.stop("SIGTERM")).code, 0);
    } finally {
      await services.stop("SIGKILL");
    }
    // Released: the next node leads at its first tick, not after the 60 s lease.
    await using next = spawnIronflow(home.path, [
      "server",
      "services",
      "start",
      "--database-url",
      database.url,
      "--node-id",
      "pg-b",
    ], { env });
    const led = await next.waitFor(/node pg-b (leads|stands by)/, 20_000);
    assert.match(led, /node pg-b leads$/m);
    assert.equal((await next.stop("SIGINT")).code, 0);
  },
});
