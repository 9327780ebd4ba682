/**
 * Schemas of secrets on the wire. A secret's value appears in one answer
 * only: that of `POST /secrets/{name}/reveal`.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { SecretInfo } from "../engine/secrets/mod.ts";

/** A secret's name and times, never its value. */
export const SecretInfoSchema = z.object({
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: "SecretInfo" });

/** A secret's name and times on the wire. */
export type ApiSecretInfo = z.infer<typeof SecretInfoSchema>;

/** The answer of `POST /secrets/{name}/reveal`. */
export const RevealedSecretSchema = z.object({ name: z.string(), value: z.string() }).meta({
  id: "RevealedSecret",
});

/** Body of `PUT /secrets/:name`. */
export const SetSecretBody = z.strictObject({
  value: z.string().min(1).meta({ description: "The secret text, at most 64 KiB" }),
});

/** A secret's name and times as API JSON. */
export function toApiSecretInfo(info: SecretInfo): ApiSecretInfo {
  return {
    name: info.name,
    created_at: new Date(info.createdAt).toISOString(),
    updated_at: new Date(info.updatedAt).toISOString(),
  };
}
