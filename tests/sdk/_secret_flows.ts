/**
 * Flows that print, pass on, return and fail with a secret, for the
 * redaction tests (in process, against an app, and in a server process).
 *
 * @module
 */
import { flow, getRunLogger, getSecret, task } from "../../sdk/mod.ts";

/** The secret's value: it must appear nowhere the run leaves behind. */
export const SECRET_VALUE = "s3cr3t-Hunter2-value";

const passToken = task({ name: "use_token", persistResult: true }, (token: string) => {
  console.log(`task got ${token}`);
  return `used ${token}`;
});

/** Prints the secret every way a flow can, passes it to a task and returns it. */
export const leaky = flow({ name: "leaky", logPrints: true, persistResult: true }, async () => {
  const token = await getSecret("api_token");
  console.log(`the token is ${token}`);
  getRunLogger().warning("token:", token);
  const used = await passToken(token);
  return { token, used };
});

/** Fails with the secret in its message. */
export const leakyFailure = flow({ name: "leaky_failure" }, async () => {
  const token = await getSecret("api_token");
  throw new Error(`login refused for ${token}`);
});
