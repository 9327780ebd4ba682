import assert from "node:assert/strict";
import { assertError, call, etl, T0, testServer } from "./_helpers.ts";

interface Ev {
  event: string;
  related: { id: string; role: string }[];
}

Deno.test("POST /api/events records a custom event that GET /api/events lists with filters", async () => {
  const { app, clock } = testServer();
  const posted = await call(app, "/api/events", {
    body: {
      event: "acme.file.landed",
      resource: "acme.bucket.raw",
      related: [{ id: "acme.team.data", role: "team" }],
      payload: { name: "a.csv" },
    },
  });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  assert.equal(posted.body.occurred, new Date(T0).toISOString());
  clock.tick(1000);
  await call(app, "/api/events", { body: { event: "acme.job.done", resource: "acme.job.1" } });

  const all = await call(app, "/api/events");
  assert.deepEqual(all.body.items.map((e: { event: string }) => e.event), [
    "acme.file.landed",
    "acme.job.done",
  ]);
  const byPrefix = await call(app, "/api/events?prefix=acme.file");
  assert.deepEqual(byPrefix.body.items.map((e: { id: string }) => e.id), [posted.body.id]);
  const byRelated = await call(app, "/api/events?resource=acme.team.data");
  assert.equal(byRelated.body.items.length, 1);
  const byResourcePrefix = await call(app, "/api/events?resource=acme.job.*");
  assert.deepEqual(byResourcePrefix.body.items.map((e: { event: string }) => e.event), [
    "acme.job.done",
  ]);
  const since = new Date(T0 + 500).toISOString();
  const byTime = await call(app, `/api/events?since=${since}`);
  assert.deepEqual(byTime.body.items.map((e: { event: string }) => e.event), ["acme.job.done"]);
});

Deno.test("GET /api/events pages with a cursor through state changes and custom events", async () => {
  const { app, plane, clock } = testServer();
  await etl.runWith({ plane }, [1, 2, 3]);
  clock.tick(10);
  for (let i = 0; i < 5; i++) {
    await call(app, "/api/events", { body: { event: `acme.tick`, resource: `acme.n.${i}` } });
  }
  const seen: string[] = [];
  let cursor: string | null = "";
  let pages = 0;
  while (cursor !== null && pages < 100) {
    const page = await call(app, `/api/events?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    seen.push(...page.body.items.map((e: { id: string }) => e.id));
    cursor = page.body.next_cursor;
    pages++;
  }
  assert.equal(new Set(seen).size, seen.length, "no event twice");
  const all = await call(app, "/api/events?limit=500");
  assert.deepEqual(seen, all.body.items.map((e: { id: string }) => e.id));
  const etlCompleted = all.body.items.filter((e: Ev) =>
    e.event === "ironflow.flow-run.Completed" &&
    e.related.some((r) => r.role === "flow" && r.id === "ironflow.flow.etl")
  );
  assert.equal(etlCompleted.length, 1);
  assert.match(etlCompleted[0].resource, /^ironflow\.flow-run\./);
  assert.equal(etlCompleted[0].payload.state, "COMPLETED");
  assert.equal(all.body.items.at(-1).event, "acme.tick");
});

Deno.test("GET /api/events resumes from resume_cursor with only newer events", async () => {
  const { app } = testServer();
  await call(app, "/api/events", { body: { event: "acme.a", resource: "r" } });
  const first = await call(app, "/api/events");
  assert.equal(first.body.next_cursor, null);
  await call(app, "/api/events", { body: { event: "acme.b", resource: "r" } });
  const later = await call(app, `/api/events?cursor=${first.body.resume_cursor}`);
  assert.deepEqual(later.body.items.map((e: { event: string }) => e.event), ["acme.b"]);
});

Deno.test("POST /api/events refuses reserved names, bad names and unknown fields", async () => {
  const { app, engine } = testServer();
  assertError(
    await call(app, "/api/events", { body: { event: "ironflow.flow-run.Failed", resource: "x" } }),
    400,
    "invalid_event",
  );
  assertError(
    await call(app, "/api/events", { body: { event: "no spaces", resource: "x" } }),
    400,
    "invalid_event",
  );
  assertError(
    await call(app, "/api/events", { body: { event: "a.b", resource: "x", colour: 1 } }),
    400,
    "invalid_request",
  );
  assertError(await call(app, "/api/events?cursor=zzz"), 400, "invalid_cursor");
  assert.equal(engine.reader.listDocuments({ collection: "event" }).length, 0, "nothing stored");
});

Deno.test("custom events expire after the retention time", async () => {
  const { app, clock } = testServer();
  await call(app, "/api/events", { body: { event: "acme.old", resource: "r" } });
  clock.tick(7 * 86_400_000 + 1);
  await call(app, "/api/events", { body: { event: "acme.new", resource: "r" } });
  const listed = await call(app, "/api/events?prefix=acme.");
  assert.deepEqual(listed.body.items.map((e: { event: string }) => e.event), ["acme.new"]);
});

// Prefect 3: https://docs.prefect.io/v3/api-ref/rest-api/server/events ("Create Events" takes a list)
Deno.test("POST /api/events/batch records events together, in order, or none when one is invalid", async () => {
  const { app, engine } = testServer();
  const events = [
    { event: "acme.file.landed", resource: "acme.bucket.raw", payload: { name: "a.csv" } },
    { event: "acme.file.landed", resource: "acme.bucket.raw", payload: { name: "b.csv" } },
    { event: "acme.job.done", resource: "acme.job.1" },
  ];
  const posted = await call(app, "/api/events/batch", { body: { events } });
  assert.equal(posted.status, 201);
  assert.deepEqual(posted.body.items.map((e: { event: string }) => e.event), [
    "acme.file.landed",
    "acme.file.landed",
    "acme.job.done",
  ]);
  const listed = await call(app, "/api/events?prefix=acme.");
  assert.deepEqual(
    listed.body.items.map((e: { payload: { name?: string } }) => e.payload.name ?? null),
    ["a.csv", "b.csv", null],
  );

  const before = engine.reader.listDocuments({ collection: "event" }).length;
  const refused = await call(app, "/api/events/batch", {
    body: { events: [events[0], { event: "ironflow.flow-run.Failed", resource: "x" }] },
  });
  assertError(refused, 400, "invalid_event");
  assert.match(refused.body.error.message, /events\[1\]: /);
  assertError(
    await call(app, "/api/events/batch", { body: { events: [] } }),
    400,
    "invalid_request",
  );
  assertError(
    await call(app, "/api/events/batch", {
      body: { events: Array.from({ length: 501 }, () => events[2]) },
    }),
    400,
    "invalid_request",
  );
  assert.equal(engine.reader.listDocuments({ collection: "event" }).length, before, "none stored");
});
