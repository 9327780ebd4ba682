/**
 * Dashboard sessions live in the database: two servers on one database (as
 * behind a load balancer) know the same sessions, so a browser signed in on
 * one is signed in on the other, and a sign-out on either ends it on both.
 * On SQLite (two engines on one file) and PostgreSQL (one schema, under
 * `.ci/with_postgres`).
 */
import assert from "node:assert/strict";
import {
  createEngine,
  createPostgresStore,
  createSqliteStore,
  FakeClock,
  SequentialIds,
  type Store,
} from "../../engine/mod.ts";
import { createApp } from "../../server/app.ts";
import { SESSION_COLLECTION } from "../../server/sessions.ts";
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL } from "../engine/_helpers.ts";
import { call, csrfOf, signIn } from "./_helpers.ts";

const KEY = "s3cret-key";

const DATABASES = [
  {
    name: "SQLite",
    ignore: false,
    async open() {
      const dir = await Deno.makeTempDir({ prefix: "ironflow_sessions_" });
      return {
        store: () => createSqliteStore(`${dir}/ironflow.db`) as Store,
        dispose: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: "PostgreSQL",
    ignore: POSTGRES_URL === undefined,
    open() {
      const fresh = freshPostgresSchema();
      return Promise.resolve({
        store: () => createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }) as Store,
        dispose: () => fresh[Symbol.asyncDispose](),
      });
    },
  },
];

for (const database of DATABASES) {
  Deno.test({
    name:
      `${database.name}: a session made on one server opens the other; a sign-out on either ends it${
        database.ignore ? ` (${POSTGRES_SKIP})` : ""
      }`,
    ignore: database.ignore,
    async fn() {
      const db = await database.open();
      const clock = new FakeClock();
      const engines = [0, 1].map((i) =>
        createEngine({ store: db.store(), clock, ids: new SequentialIds(`s${i}`) })
      );
      const [a, b] = engines.map((engine) => createApp({ engine, clock, apiKey: KEY }));
      try {
        const cookie = await signIn(a!, KEY);
        assert.equal((await b!.request("/", { headers: { cookie } })).status, 200);
        assert.equal((await call(b!, "/api/flow-runs", { headers: { cookie } })).status, 200);

        // Signed out on B (its form token is the session's, on any server).
        const page = await (await b!.request("/", { headers: { cookie } })).text();
        const out = await b!.request("/logout", {
          method: "POST",
          headers: { cookie },
          body: new URLSearchParams({ _csrf: csrfOf(page) }),
        });
        assert.equal(out.status, 303);
        for (const app of [a!, b!]) {
          const again = await app.request("/", { headers: { cookie } });
          assert.equal(again.status, 303, "signed out everywhere");
          assert.match(again.headers.get("location") ?? "", /^\/login/);
          assert.equal((await call(app, "/api/flow-runs", { headers: { cookie } })).status, 401);
        }

        // A session ends on either server when it expires.
        const next = await signIn(b!, KEY);
        clock.tick(12 * 60 * 60 * 1000);
        assert.equal((await a!.request("/", { headers: { cookie: next } })).status, 303);
        // The next sign-in clears the expired sessions from the database.
        await signIn(a!, KEY);
        const kept = engines[0]!.reader.listDocuments({ collection: SESSION_COLLECTION });
        assert.equal(kept.length, 1, "only the live session is kept");
      } finally {
        for (const engine of engines) await engine.close();
        await db.dispose();
      }
    },
  });
}
