/** Prints what job variables gave its process (tests/engine/deployments/job_variables_test.ts). */
import { flow } from "../../../sdk/mod.ts";

export const report = flow({ name: "report-env" }, async () => {
  await Promise.resolve();
  const env = (name: string) => Deno.env.get(name) ?? "-";
  console.log(
    `cwd=${Deno.cwd()} tier=${env("TIER")} mode=${env("MODE")} region=${env("REGION")} prefixed=${
      env("PREFIXED")
    }`,
  );
});
