import assert from "node:assert/strict";
import { uuidv7 } from "../../engine/mod.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

Deno.test("uuidv7() makes version 7 ids that are unique and sort in creation order", () => {
  // More than 4096 ids in one millisecond, and more than one page of random bytes.
  const ids = Array.from({ length: 10_000 }, () => uuidv7(1_700_000_000_000));
  for (const id of ids) assert.match(id, UUID_V7);
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
  }
});

Deno.test("uuidv7() carries the millisecond time in its first 48 bits", () => {
  const now = Date.UTC(2030, 0, 2, 3, 4, 5, 6);
  const id = uuidv7(now + 10_000_000);
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  assert.equal(ms, now + 10_000_000);
});
