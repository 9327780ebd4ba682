/**
 * A flow script for `tests/e2e/script_kill_test.ts`: runs the `holding`
 * flow (its task `hold` waits for `<HOLD_DIR>/go`) against the control plane
 * of the environment (`IRONFLOW_HOME` or `IRONFLOW_API_URL`), so a test can
 * kill it mid-task. Prints `OUTCOME <state> <run id>`.
 *
 * @module
 */
import { holding } from "../deployments/holding.ts";

const outcome = await holding.run(Deno.env.get("HOLD_DIR")!, 1);
console.log(`OUTCOME ${outcome.state.type} ${outcome.runId}`);
