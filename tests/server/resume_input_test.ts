/**
 * Resume with input sent from outside the waiting process: the API and the
 * dashboard check it against the schema the flow recorded with its pause
 * (Prefect: "Pause or suspend a flow until it receives input",
 * https://docs.prefect.io/v3/advanced/interactive), and the flow continues
 * with it.
 */
import assert from "node:assert/strict";
import { z } from "npm:zod@^4.6.7";
import { flow, pauseFlowRun } from "../../sdk/mod.ts";
import { assertError, call, csrfOf, testServer } from "./_helpers.ts";

// The field names of the schema form: `p.<path>`.
const FIELD = "p.";

const Approval = z.object({ approved: z.boolean(), by: z.string().min(1) });

async function waitingForApproval(server: ReturnType<typeof testServer>) {
  const approval = flow({ name: "approval" }, async () => {
    const input = await pauseFlowRun({ waitForInput: Approval });
    return input.approved ? `approved by ${input.by}` : "rejected";
  });
  const outcome = approval.runWith({ plane: server.plane });
  for (let i = 0; i < 200; i++) {
    const run = server.engine.listRuns({ kind: "flow", states: ["PAUSED"] }).items[0];
    if (run) return { runId: run.id, outcome };
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error("the flow never paused");
}

Deno.test("POST /api/flow-runs/:id/resume checks input against the pause's schema, then the flow continues with it", async () => {
  const server = testServer();
  const { runId, outcome } = await waitingForApproval(server);
  const paused = server.engine.events(runId).at(-1)!;
  assert.equal((paused.data?.["inputSchema"] as { type?: string }).type, "object");

  const missing = await call(server.app, `/api/flow-runs/${runId}/resume`, { method: "POST" });
  assertError(missing, 400, "invalid_input");
  const wrong = await call(server.app, `/api/flow-runs/${runId}/resume`, {
    body: { input: { approved: "yes", by: "" } },
  });
  assertError(wrong, 400, "invalid_input");
  assert.equal(wrong.body.error.details.problems.length, 2, JSON.stringify(wrong.body));
  assert.equal(server.engine.getRun(runId)!.state, "PAUSED", "a refused resume changes nothing");

  const ok = await call(server.app, `/api/flow-runs/${runId}/resume`, {
    body: { input: { approved: true, by: "ada" } },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const done = await outcome;
  assert.equal(done.state.type, "COMPLETED");
  assert.equal(done.result, "approved by ada");
  server.close();
});

Deno.test("the dashboard's resume form asks for the input, shows the schema, and refuses bad input with a message", async () => {
  const server = testServer();
  const { runId, outcome } = await waitingForApproval(server);
  const page = await (await server.app.request(`/runs/${runId}`)).text();
  assert.match(page, /<textarea id="resume-input" name="input"/);
  assert.match(page, /Input schema/);
  const post = (input: string) =>
    server.app.request(`/runs/${runId}/resume`, {
      method: "POST",
      headers: { origin: "http://localhost", "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ _csrf: csrfOf(page), input }),
    });

  for (const bad of ["{not json", '{"approved":1}']) {
    const refused = await post(bad);
    assert.equal(refused.status, 400, "the page again, with the problem under the JSON input");
    const again = await refused.text();
    assert.match(again, /role="alert">[^<]*(JSON|approved)/);
    assert.ok(again.includes(bad.replaceAll('"', "&quot;")), "what was posted is kept");
    assert.equal(server.engine.getRun(runId)!.state, "PAUSED");
  }
  const accepted = await post('{"approved":false,"by":"bob"}');
  assert.equal(accepted.status, 303);
  assert.equal((await outcome).result, "rejected");
  server.close();
});

Deno.test("the dashboard's resume fields show each problem under its field and keep what was posted", async () => {
  const server = testServer();
  const { runId, outcome } = await waitingForApproval(server);
  const page = await (await server.app.request(`/runs/${runId}`)).text();
  assert.match(page, /data-resume="fields"/);
  const post = (fields: Record<string, string>) =>
    server.app.request(`/runs/${runId}/resume`, {
      method: "POST",
      headers: { origin: "http://localhost", "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ _csrf: csrfOf(page), mode: "fields", ...fields }),
    });
  const refused = await post({ [`${FIELD}approved`]: "true", [`${FIELD}by`]: "" });
  assert.equal(refused.status, 400);
  const again = await refused.text();
  assert.match(again, /id="input-by-error" class="field-error" role="alert">by: [^<]+</);
  assert.doesNotMatch(again, /id="input-approved-error"/, "the valid field has no problem");
  assert.equal(server.engine.getRun(runId)!.state, "PAUSED", "nothing changed");

  const accepted = await post({ [`${FIELD}approved`]: "true", [`${FIELD}by`]: "ada" });
  assert.equal(accepted.status, 303);
  assert.equal((await outcome).result, "approved by ada");
  server.close();
});
