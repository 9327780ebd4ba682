/**
 * `getSecret()`: a secret's value in a flow, decrypted in this process or
 * revealed by the server at `IRONFLOW_API_URL`. From then on the control
 * plane redacts the value from logs, results, state messages, parameters
 * and artifacts (as `********`).
 *
 * @module
 */
import { NotFoundError } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { currentContext } from "./context.ts";
import { redactConsole } from "./redaction.ts";

/** Options of {@linkcode getSecret}. */
export interface SecretOptions {
  /** @default the current run's control plane, or the default one */
  plane?: ControlPlane;
}

/**
 * The value of secret `name`; a {@linkcode NotFoundError} (code
 * `secret_not_found`) when there is none.
 *
 * @example
 * ```ts
 * import { flow, getRunLogger } from "./mod.ts";
 * import { getSecret } from "./secrets.ts";
 * export const load = flow({ name: "load" }, async () => {
 *   const password = await getSecret("db_password");
 *   getRunLogger().info(`connecting with ${password}`); // stored as "connecting with ********"
 * });
 * ```
 */
export async function getSecret(name: string, options: SecretOptions = {}): Promise<string> {
  const plane = options.plane ?? currentContext()?.plane ?? getControlPlane();
  if (!plane.secrets) throw new TypeError("This control plane keeps no secrets");
  const value = await plane.secrets.reveal(name);
  if (value === undefined) {
    throw new NotFoundError(`Secret "${name}" does not exist`, { code: "secret_not_found" });
  }
  redactConsole(plane.secrets.redactor);
  return value;
}

/** Encrypts and stores `value` as secret `name` (creating or replacing it). */
export async function setSecret(
  name: string,
  value: string,
  options: SecretOptions = {},
): Promise<void> {
  const plane = options.plane ?? currentContext()?.plane ?? getControlPlane();
  if (!plane.secrets) throw new TypeError("This control plane keeps no secrets");
  await plane.secrets.set(name, value);
}
