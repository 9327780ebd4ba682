import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256, sha256Hex } from "../../engine/sha256.ts";
import { slotRunId } from "../../engine/deployments/_slot_run_id.ts";
import { uuidv7From } from "../../engine/uuid7.ts";

const nodeHex = (input: string | Uint8Array) => createHash("sha256").update(input).digest("hex");

Deno.test("sha256 gives the FIPS 180-4 digests of the standard test messages", () => {
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("sha256 agrees with node:crypto on every length around the block and padding edges, bytes and UTF-8 text", () => {
  const bytes = new Uint8Array(300).map((_, i) => (i * 131 + 7) & 0xff);
  for (let length = 0; length <= 300; length++) {
    const part = bytes.subarray(0, length);
    assert.equal(sha256Hex(part), nodeHex(part), `length ${length}`);
  }
  for (
    const text of ["déploiement|hourly|1700000000000", "日本語のスケジュール", "🦕".repeat(40)]
  ) {
    assert.equal(sha256Hex(text), nodeHex(text));
    assert.deepEqual(sha256(text), new Uint8Array(createHash("sha256").update(text).digest()));
  }
});

Deno.test("schedule slot run ids stay what they were with node:crypto, so a restarted scheduler finds the runs it made before", () => {
  for (
    const [deployment, schedule, slot] of [
      ["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "cron:0 * * * *", 1_700_000_000_000],
      ["d-1", "interval:60000", 0],
      ["d-ünïcode", "rrule:FREQ=DAILY", 1_800_000_000_123.7],
    ] as const
  ) {
    const digest = createHash("sha256").update(`${deployment}|${schedule}|${slot}`).digest();
    assert.equal(
      slotRunId(deployment, schedule, slot),
      uuidv7From(Math.max(0, Math.floor(slot)), digest),
    );
  }
});
