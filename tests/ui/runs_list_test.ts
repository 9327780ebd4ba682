import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { type Engine, FakeClock } from "../../engine/mod.ts";
import { createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";
import { testEngine } from "./_fixtures.ts";

const NOW = Date.UTC(2026, 0, 10, 12);

/** Run ids of a table section (`<h2>` title) of the runs page, in order. */
function section(page: string, title: string): string[] {
  const at = page.indexOf(title);
  if (at < 0) return [];
  const end = page.indexOf("</section>", at);
  return [...page.slice(at, end).matchAll(/<tr\s+data-run-id="([^"]+)"/g)].map((m) => m[1]!);
}

function csrfOf(page: string): string {
  return page.match(/name="_csrf" value="([^"]+)"/)![1]!;
}

async function seed(engine: Engine) {
  const deployments = new DeploymentService(engine);
  const nightly = await deployments.create({
    name: "nightly",
    entrypoint: "./nightly.ts:nightly",
    tags: ["etl"],
  });
  const past = await createDeploymentRun(engine, nightly, { runName: "nightly-past" });
  const soon = await createDeploymentRun(engine, nightly, {
    runName: "nightly-soon",
    expectedStartTime: NOW + 60_000,
  });
  const later = await createDeploymentRun(engine, nightly, {
    runName: "nightly-later",
    expectedStartTime: NOW + 7_200_000,
  });
  const adhoc = await engine.createFlowRun({ name: "adhoc", runName: "adhoc-1", tags: ["ops"] });
  const child = await engine.createFlowRun({
    name: "child",
    runName: "child-1",
    parentId: adhoc.id,
    rootId: adhoc.id,
  });
  return { nightly, past, soon, later, adhoc, child };
}

Deno.test("runs page: upcoming runs are listed apart, soonest first, and not among past runs", async () => {
  const clock = new FakeClock(NOW);
  await using e = testEngine(clock);
  const s = await seed(e.engine);
  const app = createApp({ engine: e.engine, clock });
  const page = await (await app.request("/")).text();
  assert.deepEqual(section(page, "Upcoming runs"), [s.soon.id, s.later.id]);
  assert.deepEqual(section(page, "Past runs").sort(), [s.past.id, s.adhoc.id].sort());
  clock.tick(120_000);
  const after = await (await app.request("/")).text();
  assert.deepEqual(section(after, "Upcoming runs"), [s.later.id], "a run now due is past");
  assert.ok(section(after, "Past runs").includes(s.soon.id));
});

Deno.test("runs page: subflows are hidden unless asked, and filters by tag, deployment and parent", async () => {
  const clock = new FakeClock(NOW);
  await using e = testEngine(clock);
  const s = await seed(e.engine);
  const app = createApp({ engine: e.engine, clock });
  const past = async (query: string) =>
    section(await (await app.request(`/?${query}`)).text(), "Past runs").sort();
  assert.deepEqual(await past("subflows=1"), [s.past.id, s.adhoc.id, s.child.id].sort());
  assert.deepEqual(await past("tag=ops"), [s.adhoc.id]);
  assert.deepEqual(await past("deployment=nightly"), [s.past.id]);
  assert.deepEqual(await past("deployment=missing"), []);
  assert.deepEqual(await past(`parent=${s.adhoc.id}`), [s.child.id]);
  assert.deepEqual(await past("pool=default"), [s.past.id]);
  assert.deepEqual(await past("pool=nowhere"), []);
  const byName = await (await app.request("/?sort=name&order=asc")).text();
  assert.deepEqual(section(byName, "Past runs"), [s.adhoc.id, s.past.id]);
  const bad = await app.request("/?sort=size");
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Unknown sort &quot;size&quot;/);
});

Deno.test("runs page: bulk cancel ends the selected runs and says which were refused", async () => {
  const clock = new FakeClock(NOW);
  await using e = testEngine(clock);
  const s = await seed(e.engine);
  const done = await e.engine.createFlowRun({ name: "done", runName: "done-1" });
  await e.engine.propose(done.id, { to: "RUNNING", token: "a", kind: "start" });
  await e.engine.propose(done.id, { to: "COMPLETED", token: "b", kind: "complete" });
  const app = createApp({ engine: e.engine, clock });
  const page = await (await app.request("/?tag=etl")).text();
  assert.match(page, /<form id="bulk-runs"/);
  const form = new URLSearchParams({ _csrf: csrfOf(page), next: "/?tag=etl", action: "cancel" });
  for (const id of [s.past.id, done.id]) form.append("run", id);

  const forged = await app.request("/runs/bulk", {
    method: "POST",
    body: new URLSearchParams({ next: "/", action: "cancel", run: s.past.id }),
  });
  assert.equal(forged.status, 403);
  assert.equal(e.engine.getRun(s.past.id)?.state, "SCHEDULED");

  const res = await app.request("/runs/bulk", { method: "POST", body: form });
  assert.equal(res.status, 303);
  const location = res.headers.get("location")!;
  assert.match(location, /^\/\?tag=etl&flash=/);
  assert.equal(e.engine.getRun(s.past.id)?.state, "CANCELLED");
  assert.equal(e.engine.getRun(done.id)?.state, "COMPLETED");
  const shown = await (await app.request(location)).text();
  assert.match(shown, /Cancellation requested for 1 of 2 runs\. Refused: done-1: /);

  const none = new URLSearchParams({ _csrf: csrfOf(page), next: "/", action: "cancel" });
  const empty = await app.request("/runs/bulk", { method: "POST", body: none });
  assert.match(
    await (await app.request(empty.headers.get("location")!)).text(),
    /Select at least one run/,
  );
  const wrong = new URLSearchParams({ _csrf: csrfOf(page), next: "/", action: "delete" });
  wrong.append("run", s.adhoc.id);
  const refused = await app.request("/runs/bulk", { method: "POST", body: wrong });
  assert.match(
    await (await app.request(refused.headers.get("location")!)).text(),
    /Unknown action &quot;delete&quot;/,
  );
  assert.equal(e.engine.getRun(s.adhoc.id)?.state, "PENDING");
});

Deno.test("flows and deployments pages: last runs are past runs, not the ones scheduled ahead", async () => {
  const clock = new FakeClock(NOW);
  await using e = testEngine(clock);
  const s = await seed(e.engine);
  const app = createApp({ engine: e.engine, clock });
  const flows = await (await app.request("/flows")).text();
  assert.ok(flows.includes(`href="/runs/${s.past.id}"`), "the flow's last run is the past one");
  assert.ok(!flows.includes(`href="/runs/${s.later.id}"`));
  const deployments = await (await app.request("/deployments")).text();
  assert.ok(deployments.includes(s.past.id));
  assert.ok(!deployments.includes(s.soon.id) && !deployments.includes(s.later.id));
});
