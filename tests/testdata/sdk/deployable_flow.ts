/** A flow deployed from code by tests/e2e/deploy_from_code_test.ts and run by a real worker. */
import { createImageArtifact, flow } from "../../../sdk/mod.ts";

const PIXEL =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

export const nightly = flow({ name: "nightly-report", version: "3.1" }, async (n: number) => {
  await createImageArtifact(`data:image/png;base64,${PIXEL}`, { key: "chart", alt: "one pixel" });
  return n * 10;
});
