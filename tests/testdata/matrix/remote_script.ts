/**
 * A flow script of the action matrix's remote runs: with IRONFLOW_API_URL
 * set, it runs one flow per `cell=flow` argument through the remote control
 * plane, concurrently, each tagged with its cell, and exits once all ended.
 *
 * @module
 */
import { getControlPlane } from "../../../sdk/mod.ts";
import { MATRIX_FLOWS } from "./flows.ts";

await Promise.all(Deno.args.map(async (arg) => {
  const [cell, name] = arg.split("=") as [string, keyof typeof MATRIX_FLOWS];
  const target = MATRIX_FLOWS[name] as (typeof MATRIX_FLOWS)["busy"];
  await target.runWith({ tags: [cell] }, cell);
}));
await getControlPlane().close();
