import assert from "node:assert/strict";
import {
  createEngine,
  createMemoryStore,
  createSqliteStore,
  FakeClock,
  SequentialIds,
  type Store,
} from "../../engine/mod.ts";
import { createApp } from "../../server/mod.ts";
import { StorageHealth } from "../../server/storage_health.ts";
import { assertError, call, csrfOf, T0 } from "./_helpers.ts";

/** A store whose writes fail as SQLite's do on a full disk while `disk.full` is set. */
function fullDiskStore(inner: Store): { store: Store; disk: { full: boolean } } {
  const disk = { full: false };
  const write = <T>(fn: (tx: Parameters<Parameters<Store["write"]>[0]>[0]) => T): T => {
    if (disk.full) {
      throw Object.assign(new Error("database or disk is full"), { code: "ERR_SQLITE_ERROR" });
    }
    return inner.write(fn);
  };
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === "write") return write;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store, disk };
}

function faultyServer(store: Store) {
  const clock = new FakeClock(T0);
  const engine = createEngine({ store, clock, ids: new SequentialIds("run") });
  const lines: string[] = [];
  const storageHealth = new StorageHealth(clock, (line) => lines.push(line));
  const app = createApp({ engine, clock, storageHealth });
  return { app, engine, clock, lines };
}

const newRun = (id: string) => ({ body: { runs: [{ id, kind: "flow", name: "etl" }] } });

Deno.test("a full disk answers 503 storage_full, /health says so, the log says it once, and all recover", async () => {
  const { store, disk } = fullDiskStore(createMemoryStore());
  const { app, engine, clock, lines } = faultyServer(store);
  assert.equal((await call(app, "/api/runs/batch", newRun("a"))).status, 200);

  disk.full = true;
  for (const id of ["b", "c", "d"]) {
    assertError(await call(app, "/api/runs/batch", newRun(id)), 503, "storage_full");
  }
  clock.tick(5_000);
  const unhealthy = await call(app, "/health");
  assert.equal(unhealthy.status, 503);
  assert.equal(unhealthy.body.status, "error");
  assert.equal(unhealthy.body.reason, "storage_full");
  assert.equal(unhealthy.body.since, new Date(T0).toISOString());
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0]!, /storage failure \(storage_full\)/);
  // Reads still work while writes fail.
  assert.equal((await call(app, "/api/flow-runs")).status, 200);

  disk.full = false;
  const healthy = await call(app, "/health");
  assert.equal(healthy.status, 200);
  assert.equal(healthy.body.status, "ok");
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /storage recovered \(storage_full for 5 s\)/);
  assert.equal((await call(app, "/api/runs/batch", newRun("b"))).status, 200);
  assert.deepEqual(engine.listRuns({ kind: "flow" }).items.map((r) => r.id).sort(), ["a", "b"]);
});

/** Mounts a tmpfs of `size` at a new folder, or answers undefined when not permitted here. */
async function mountTmpfs(size: string): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  const dir = await Deno.makeTempDir({ prefix: "ironflow_full_" });
  try {
    const { success } = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).output();
    if (success) return dir;
  } catch {
    // No mount binary or no permission to run it.
  }
  await Deno.remove(dir);
  return undefined;
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir] }).output();
  await Deno.remove(dir);
}

// Fills the disk: writes 64 KiB blocks until the file system refuses.
async function fill(path: string): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true });
  const block = new Uint8Array(65_536);
  try {
    while (true) await file.write(block);
  } catch {
    // ENOSPC: the disk is full.
  }
}

Deno.test("a really full disk (4 MiB tmpfs): 503 storage_full while full, writes again once space returns", async (t) => {
  const dir = await mountTmpfs("4m");
  if (!dir) {
    console.log("skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN)");
    return;
  }
  try {
    const store = createSqliteStore(`${dir}/ironflow.db`);
    const { app, engine, lines } = faultyServer(store);
    try {
      assert.equal((await call(app, "/api/runs/batch", newRun("before"))).status, 200);
      await fill(`${dir}/filler`);
      await t.step("writes answer 503 and /health 503", async () => {
        // A few writes may still fit in pages SQLite already has.
        let answer = await call(app, "/api/runs/batch", newRun("w0"));
        for (let i = 1; answer.status === 200 && i < 200; i++) {
          answer = await call(app, "/api/runs/batch", {
            body: {
              runs: [{
                id: `w${i}`,
                kind: "flow",
                name: "etl",
                parameters: { pad: "x".repeat(20_000) },
              }],
            },
          });
        }
        assertError(answer, 503, "storage_full");
        const health = await call(app, "/health");
        assert.equal(health.status, 503);
        assert.equal(health.body.reason, "storage_full");
        assert.equal(lines.length, 1);
      });
      await Deno.remove(`${dir}/filler`);
      await t.step("space freed: /health 200, writes succeed", async () => {
        assert.equal((await call(app, "/health")).status, 200);
        assert.equal((await call(app, "/api/runs/batch", newRun("after"))).status, 200);
        assert.ok(engine.getRun("after"));
        assert.ok(engine.getRun("before"));
      });
    } finally {
      await engine.close();
    }
    const check = createSqliteStore(`${dir}/ironflow.db`, { integrityCheck: true });
    assert.ok(check.getRun("after"), "the database is whole after the full disk");
    check.close();
  } finally {
    await unmount(dir);
  }
});

Deno.test("with the disk full, dashboard pages still read, a form post answers a 503 page, and nothing answers 500", async () => {
  const { store, disk } = fullDiskStore(createMemoryStore());
  const { app, engine, lines } = faultyServer(store);
  const run = await engine.createFlowRun({ name: "etl", state: "SCHEDULED" });
  const deployments = await call(app, "/api/deployments", {
    body: { name: "nightly", entrypoint: "./nightly.ts:nightly" },
  });
  assert.equal(deployments.status, 201, JSON.stringify(deployments.body));
  const runPage = await (await app.request(`/runs/${run.id}`)).text();

  disk.full = true;
  const pages = ["/", `/runs/${run.id}`, "/flows", "/flows/etl", "/deployments", "/work-pools"];
  for (
    const path of [...pages, "/deployments/nightly", "/work-pools/default", "/concurrency-limits"]
  ) {
    const res = await app.request(path);
    assert.equal(res.status, 200, `${path} reads while writes fail`);
    await res.body?.cancel();
  }
  const posted = await app.request(`/runs/${run.id}/cancel`, {
    method: "POST",
    headers: { origin: "http://localhost", "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ _csrf: csrfOf(runPage) }),
  });
  const body = await posted.text();
  assert.ok(posted.status === 503 || posted.status === 303, `form post answered ${posted.status}`);
  if (posted.status === 303) {
    const flash = await (await app.request(posted.headers.get("location")!)).text();
    assert.match(flash, /Storage is full/);
  } else {
    assert.match(body, /Storage unavailable/);
  }
  assert.equal(engine.getRun(run.id)!.state, "SCHEDULED", "nothing was recorded");

  // Every route of the API, with the ids that exist: no 500 while the disk is full.
  const doc = await (await app.request("/api/openapi.json")).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const fill: Record<string, string> = { id: run.id, name: "etl", ref: "nightly", pool: "default" };
  for (const [template, operations] of Object.entries(doc.paths)) {
    const path = template.replaceAll(/\{(\w+)\}/g, (_, name: string) => fill[name] ?? `x-${name}`);
    for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
      const write = method !== "GET";
      const res = await app.request(`http://localhost${path}`, {
        method,
        headers: write ? { "content-type": "application/json" } : {},
        ...(write && method !== "DELETE" ? { body: "{}" } : {}),
      });
      assert.notEqual(res.status, 500, `${method} ${path} answered 500`);
      if (res.status >= 500) {
        assert.equal(res.status, 503, `${method} ${path}`);
      }
      await res.body?.cancel();
    }
  }
  assert.equal(lines.length, 1, "the fault is logged once");

  disk.full = false;
  const cancelled = await call(app, `/api/flow-runs/${run.id}/cancel`, { method: "POST" });
  assert.equal(cancelled.status, 200);
  assert.equal(engine.getRun(run.id)!.state, "CANCELLED");
});
