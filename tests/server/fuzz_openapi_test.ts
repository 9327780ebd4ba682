/**
 * Fuzzing every route of the OpenAPI document, so a new route is covered as
 * soon as it is declared: malformed JSON, wrong types, huge and deeply nested
 * bodies, NUL bytes, lone surrogates, text in other scripts, unknown fields
 * and odd path parameters must never answer 5xx; afterwards every dashboard
 * page, every listing paged to its end, SSE replay and the event export
 * still work. Inputs come from a seeded generator, so a failure repeats.
 *
 * @module
 */
import { SecretCipher } from "../../engine/secrets/mod.ts";
import assert from "node:assert/strict";
import { createSqliteStore } from "../../engine/mod.ts";
import { flow, task } from "../../sdk/mod.ts";
import { seedFlows, type TestServer, testServer } from "./_helpers.ts";

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Schema } };

/** A small seeded PRNG (mulberry32): the same seed, the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ODD_TEXT = [
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "データ処理",
  "Ωμέγα",
  "🚀",
  "",
  " ",
  "../..",
  "%",
];

/** The id that fields named like ids get, so samples reach the engine (set per test). */
let sampleId = "x";

/** A plausible value of `schema` (resolving `$ref`s), with a few random choices. */
function sample(doc: Doc, schema: Schema | undefined, random: () => number, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  const ref = schema["$ref"] as string | undefined;
  if (ref) {
    const name = ref.split("/").at(-1)!;
    return sample(doc, (doc.components.schemas as Record<string, Schema>)[name], random, depth + 1);
  }
  const variants = (schema["anyOf"] ?? schema["oneOf"]) as Schema[] | undefined;
  if (variants) return sample(doc, variants[Math.floor(random() * variants.length)], random, depth);
  if ("const" in schema) return schema["const"];
  const choices = schema["enum"] as unknown[] | undefined;
  if (choices) return choices[Math.floor(random() * choices.length)];
  const type = Array.isArray(schema["type"]) ? schema["type"][0] : schema["type"];
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (schema["properties"] ?? {}) as Record<string, Schema>;
      const required = new Set((schema["required"] ?? []) as string[]);
      for (const [key, prop] of Object.entries(props)) {
        if (!(required.has(key) || random() < 0.5)) continue;
        out[key] = /(^|_)id$/.test(key) && key !== "id"
          ? sampleId
          : sample(doc, prop, random, depth + 1);
      }
      return out;
    }
    case "array":
      return [sample(doc, schema["items"] as Schema, random, depth + 1)];
    case "string":
      return schema["format"] === "date-time"
        ? "2024-05-01T12:00:00.000Z"
        : random() < 0.5
        ? "fuzz-データ"
        : "f";
    case "integer":
    case "number":
      return (schema["minimum"] as number | undefined) ?? 1;
    case "boolean":
      return random() < 0.5;
    case "null":
      return null;
    default:
      return {};
  }
}

/** `value` with each string leaf (one at a time) or a key replaced by odd text, and type swaps. */
function* mutations(value: unknown, random: () => number): Generator<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, i]));
    else if (v && typeof v === "object") {
      for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    }
  };
  walk(value, []);
  const replaced = (path: (string | number)[], leaf: unknown) => {
    if (path.length === 0) return leaf;
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let at = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    at[path.at(-1)!] = leaf;
    return copy;
  };
  for (const path of paths) {
    for (const text of ODD_TEXT) yield replaced(path, text);
    yield replaced(path, [null, 1.5, -1, 1e308, true, [], {}][Math.floor(random() * 7)]);
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    yield { ...value, unknown_field: 1 };
    yield { ...value, ["k\ud800"]: 1 };
    yield { ...value, ["キー"]: "値" };
  }
}

const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

/** Raw bodies every route gets, whatever its schema. */
const RAW_BODIES = [
  "{",
  "null",
  "[]",
  "1",
  '"text"',
  '{"a":"\\u0000"}',
  '{"a":"\\ud800"}',
  deep(200),
  `{"a":${deep(10_000)}}`,
  `{"a":"${"x".repeat(2_000_000)}"}`,
];

const PARAM_VALUES = [
  "x",
  "%00",
  "%ED%A0%80",
  "%F0%9F%9A%80",
  "%E3%83%87%E3%83%BC%E3%82%BF",
  "a".repeat(300),
  "..",
];

async function send(s: TestServer, method: string, path: string, body?: string) {
  const res = await s.app.request(path, {
    method: method.toUpperCase(),
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body } : {}),
  });
  if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, text: "" };
  }
  return { status: res.status, text: await res.text() };
}

function concrete(template: string, params: Record<string, string>): string {
  return `/api${template.replace(/^\/api/, "")}`.replace(
    /\{(\w+)\}/g,
    (_, name: string) => params[name] ?? "x",
  );
}

Deno.test("no route answers 5xx to malformed input, and every reader works afterwards", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_fuzz_" });
  const s = testServer({
    store: createSqliteStore(`${dir}/ironflow.db`),
    secretCipher: await SecretCipher.fromKey("fuzz secret key 0123456789"),
  });
  try {
    const { etlId, brokenId } = await seedFlows(s);
    const step = task({ name: "データ処理" }, async (x: number) => await Promise.resolve(x));
    const pipeline = flow({ name: "流れ" }, async () => {
      await Promise.all(step.map([1, 2, 3]));
    });
    const unicodeRun = await pipeline.runWith({ plane: s.plane, tags: ["タグ"] });
    await s.engine.flush();
    sampleId = etlId;
    const taskId = s.engine.listRuns({ kind: "task", parentId: etlId, limit: 1 }).items[0]!.id;
    const known: Record<string, string> = {
      id: etlId,
      run_id: etlId,
      name: "etl",
      ref: "d-fuzz",
      key: "k",
    };
    await send(
      s,
      "post",
      "/api/deployments",
      JSON.stringify({ name: "d-fuzz", entrypoint: "./a.ts:f" }),
    );

    const doc = JSON.parse((await send(s, "get", "/api/openapi.json")).text) as Doc;
    const random = prng(19);
    const failures: string[] = [];
    const check = (label: string, answer: { status: number; text: string }) => {
      if (answer.status >= 500) {
        failures.push(`${label} → ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    };
    let requests = 0;
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const path = concrete(template, known);
        const takesJson = op.requestBody?.content["application/json"];
        const hasParams = /\{\w+\}/.test(template);
        // Odd path parameters, one parameter at a time.
        if (hasParams) {
          for (const name of template.match(/\{(\w+)\}/g)!.map((p) => p.slice(1, -1))) {
            for (const value of PARAM_VALUES) {
              const odd = concrete(template, { ...known, [name]: value });
              check(
                `${method} ${odd}`,
                await send(s, method, odd, method === "get" ? undefined : "{}"),
              );
              requests++;
            }
          }
        }
        // Odd query values for every declared query parameter.
        for (const param of op.parameters ?? []) {
          if (param.in !== "query") continue;
          for (
            const value of [
              "%00",
              "%ED%A0%80",
              "-1",
              "1e999",
              "データ",
              Array(300).fill("a").join(","),
            ]
          ) {
            const url = `${path}?${param.name}=${value}`;
            check(
              `${method} ${url}`,
              await send(s, method, url, method === "get" ? undefined : "{}"),
            );
            requests++;
          }
        }
        if (method === "get" || method === "delete") {
          check(`${method} ${path} with a body`, await send(s, method, path));
          requests++;
          continue;
        }
        for (const raw of RAW_BODIES) {
          check(`${method} ${path} ${raw.slice(0, 30)}`, await send(s, method, path, raw));
          requests++;
        }
        if (!takesJson) continue;
        for (let round = 0; round < 3; round++) {
          const base = sample(doc, takesJson.schema, random);
          check(`${method} ${path} sample`, await send(s, method, path, JSON.stringify(base)));
          requests++;
          for (const mutated of mutations(base, random)) {
            const body = JSON.stringify(mutated) ?? "null";
            check(`${method} ${path} ${body.slice(0, 80)}`, await send(s, method, path, body));
            requests++;
          }
        }
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests answered 5xx`);
    await s.engine.flush();

    // Every dashboard page still renders.
    const flowNames = s.engine.reader.flowNames(50);
    const deployments =
      JSON.parse((await send(s, "get", "/api/deployments?limit=1000")).text).items;
    const pools = JSON.parse((await send(s, "get", "/api/work-pools")).text).items;
    const pages = [
      "/",
      "/?range=all",
      "/?subflows=1&sort=duration&order=asc&tag=nightly,etl&deployment=x&pool=default&parent=p",
      "/flows",
      "/flows?archived=true",
      "/deployments",
      "/work-pools",
      "/concurrency-limits",
      ...[etlId, brokenId, unicodeRun.runId].flatMap((id) =>
        ["", "?tab=timeline", "?tab=graph", "?tab=logs", "?tab=events", "?tab=artifacts"].map(
          (tab) => `/runs/${encodeURIComponent(id)}${tab}`,
        )
      ),
      `/runs/${taskId}`,
      ...["actions", "header", "lineage", "body", "body?tab=graph", "body?tab=artifacts"].map(
        (region) => `/runs/${encodeURIComponent(etlId)}/regions/${region}`,
      ),
      ...["state=FAILED&sort=duration", "sort=start&order=desc", "state=COMPLETED&sort=name"].map(
        (query) => `/runs/${encodeURIComponent(etlId)}?${query}`,
      ),
      ...flowNames.map((name) => `/flows/${encodeURIComponent(name.toWellFormed())}`),
      ...deployments.map((d: { id: string }) => `/deployments/${d.id}`),
      ...pools.map((p: { name: string }) =>
        `/work-pools/${encodeURIComponent(p.name.toWellFormed())}`
      ),
    ];
    for (const page of pages) {
      const res = await s.app.request(page);
      const text = await res.text();
      assert.ok(
        res.status < 500 && res.status !== 400,
        `${page} answered ${res.status}: ${text.slice(0, 300)}`,
      );
    }

    // Every listing, paged to its end.
    const listings = Object.entries(doc.paths).filter(([path, ops]) =>
      ops["get"] && !/\{\w+\}/.test(path) &&
      JSON.stringify(ops["get"].responses).includes("next_cursor")
    ).map(([path]) => path);
    listings.push(
      ...[etlId, unicodeRun.runId].flatMap((id) =>
        ["task-runs", "logs", "events", "artifacts"].map((part) => `/flow-runs/${id}/${part}`)
      ),
    );
    for (const listing of listings) {
      let cursor: string | null = null;
      let pages = 0;
      do {
        const sep = listing.includes("?") ? "&" : "?";
        const url: string = `/api${listing.replace(/^\/api/, "")}${sep}limit=2${
          cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
        }`;
        let answer = await send(s, "get", url);
        if (answer.status === 400 && answer.text.includes("limit")) {
          answer = await send(s, "get", url.replace(/[?&]limit=2/, ""));
        }
        assert.equal(answer.status, 200, `${url}: ${answer.text.slice(0, 300)}`);
        cursor = JSON.parse(answer.text).next_cursor;
        pages++;
      } while (cursor !== null && pages < 10_000);
    }

    // SSE replay from the start gets past every event, within a bounded read.
    const lastSeq = s.engine.reader.lastSeq();
    const res = await s.app.request("/api/stream/events", { headers: { "last-event-id": "0" } });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes(`id: ${lastSeq}\n`) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    assert.ok(text.includes(`id: ${lastSeq}\n`), `SSE replay stopped before seq ${lastSeq}`);

    // The export holds every event.
    const lines = [...s.engine.exportEvents()];
    assert.equal(lines.length, s.engine.summary().events);
    for (const line of lines) JSON.parse(line);
  } finally {
    s.close();
    await s.engine.close();
    await Deno.remove(dir, { recursive: true });
  }
});
