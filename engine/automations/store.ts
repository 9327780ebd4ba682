/**
 * Automations, their counting state, the log position they have read to and
 * their firings, as documents.
 *
 * @module
 */
import type { DocumentAccess, DocumentReader, Json } from "../core/mod.ts";
import { NAME_PATTERN } from "../deployments/mod.ts";
import { namePatternMatches } from "../events/mod.ts";
import { templateProblems } from "../events/mod.ts";
import type { EventPosition } from "../events/mod.ts";
import type { TriggerState } from "./evaluate.ts";
import type { Action, Automation, Trigger } from "./model.ts";

/** Collections: automations by id, names to ids, states by id, firings by id (ref: automation). */
export const A = {
  automation: "automation",
  name: "automation_name",
  state: "automation_state",
  cursor: "automation_cursor",
  firing: "automation_firing",
} as const;

/** Roots automation templates read (`variables` is resolved from the store's variables first). */
export const ACTION_TEMPLATE_ROOTS = [
  "event",
  "automation",
  "firing",
  "flow_run",
  "deployment",
  "variables",
] as const;

/** The counting state of an automation and since when it watches. */
export interface StoredTriggerState extends TriggerState {
  since: number;
}

/** The result of one action of a firing. */
export interface ActionResult {
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  /** Epoch ms before which the next try waits (retries of HTTP notifications). */
  nextAttemptAt: number;
  message?: string;
  /** What the action did: the run it created, the HTTP status... */
  detail?: Json;
}

/** One firing of an automation, with its actions' results. */
export interface FiringRecord {
  id: string;
  automationId: string;
  automationName: string;
  group: string;
  at: number;
  count: number;
  /** The event that completed a reactive count. */
  event: Json | null;
  actions: ActionResult[];
  done: boolean;
}

/** Reads a document's data. */
function read<T>(docs: DocumentReader, collection: string, key: string): T | undefined {
  return docs.getDocument(collection, key)?.data as T | undefined;
}

function write(
  docs: DocumentAccess,
  collection: string,
  key: string,
  data: unknown,
  now: number,
  ref: string | null = null,
): void {
  const before = docs.getDocument(collection, key);
  docs.putDocument({
    collection,
    key,
    ref,
    data: data as Json,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
    expiresAt: null,
  });
}

/** The automation with this id or name, if any. */
export function findAutomation(docs: DocumentReader, ref: string): Automation | undefined {
  const byId = read<Automation>(docs, A.automation, ref);
  if (byId) return byId;
  const named = read<{ id: string }>(docs, A.name, ref);
  return named ? read<Automation>(docs, A.automation, named.id) : undefined;
}

/** Every automation, by id (creation order). */
export function listAutomations(docs: DocumentReader): Automation[] {
  return docs.listDocuments({ collection: A.automation, limit: 100_000 })
    .map((doc) => doc.data as unknown as Automation);
}

/** Stores an automation (a new one starts watching from `now`). */
export function putAutomation(docs: DocumentAccess, automation: Automation, now: number): void {
  const before = read<Automation>(docs, A.automation, automation.id);
  if (before && before.name !== automation.name) docs.deleteDocument(A.name, before.name);
  write(docs, A.automation, automation.id, automation, now);
  write(docs, A.name, automation.name, { id: automation.id }, now);
  const triggerChanged = !before ||
    JSON.stringify(before.trigger) !== JSON.stringify(automation.trigger);
  const resumed = before !== undefined && !before.enabled && automation.enabled;
  // A new or changed trigger, or one enabled again, counts from now on.
  if (triggerChanged || resumed) {
    write(
      docs,
      A.state,
      automation.id,
      { windows: {}, since: now } satisfies StoredTriggerState,
      now,
    );
  }
}

/** Deletes an automation with its state; returns whether it existed. */
export function deleteAutomation(docs: DocumentAccess, id: string): boolean {
  const before = read<Automation>(docs, A.automation, id);
  if (!before) return false;
  docs.deleteDocument(A.automation, id);
  docs.deleteDocument(A.name, before.name);
  docs.deleteDocument(A.state, id);
  return true;
}

/** An automation's counting state. */
export function triggerState(docs: DocumentReader, id: string, now: number): StoredTriggerState {
  return read<StoredTriggerState>(docs, A.state, id) ?? { windows: {}, since: now };
}

/** An automation's counting state as stored (`undefined`: none yet). */
export function storedTriggerState(
  docs: DocumentReader,
  id: string,
): StoredTriggerState | undefined {
  return read<StoredTriggerState>(docs, A.state, id);
}

/** Stores an automation's counting state. */
export function putTriggerState(
  docs: DocumentAccess,
  id: string,
  state: StoredTriggerState,
  now: number,
): void {
  write(docs, A.state, id, state, now);
}

/** The log position automations have read to (`undefined`: never evaluated). */
export function readCursor(docs: DocumentReader): EventPosition | undefined {
  return read<EventPosition>(docs, A.cursor, "log");
}

/** Stores the log position automations have read to. */
export function putCursor(docs: DocumentAccess, position: EventPosition, now: number): void {
  write(docs, A.cursor, "log", position, now);
}

/** Stores a firing. */
export function putFiring(docs: DocumentAccess, firing: FiringRecord, now: number): void {
  write(docs, A.firing, firing.id, firing, now, firing.automationId);
}

/** Firings of one automation (oldest first), or of all. */
export function listFirings(docs: DocumentReader, automationId?: string): FiringRecord[] {
  return docs.listDocuments({
    collection: A.firing,
    limit: 100_000,
    ...(automationId !== undefined ? { ref: automationId } : {}),
  }).map((doc) => doc.data as unknown as FiringRecord);
}

/** What is wrong with an automation's settings (empty: nothing). */
export function automationProblems(input: {
  name: string;
  trigger: Trigger;
  actions: readonly Action[];
}): string[] {
  const problems: string[] = [];
  if (!NAME_PATTERN.test(input.name)) {
    problems.push(`name "${input.name}" must be letters, digits, ".", "_" or "-"`);
  }
  const trigger = input.trigger;
  if (trigger.type === "event") {
    if (trigger.match.length === 0) problems.push("trigger.match must name at least one event");
    if (trigger.posture === "proactive" && trigger.withinSeconds <= 0) {
      problems.push("a proactive trigger needs within_seconds above 0");
    }
    if (trigger.match.some((p) => namePatternMatches(p, "ironflow.automation.triggered"))) {
      problems.push(
        "trigger.match must not match ironflow.automation.* (an automation would feed itself)",
      );
    }
  } else if (trigger.states.length === 0) {
    problems.push("trigger.states must name at least one state");
  }
  if (input.actions.length === 0) problems.push("actions must hold at least one action");
  input.actions.forEach((action, i) => {
    // Secrets may be read by HTTP headers only: never written into a body, URL or event.
    const { headers, ...rest } = action.type === "http" ? action : { ...action, headers: {} };
    const found = [
      ...templateProblems(rest as unknown as Json, [...ACTION_TEMPLATE_ROOTS]),
      ...templateProblems(headers as unknown as Json, [...ACTION_TEMPLATE_ROOTS, "secrets"]),
    ];
    for (const problem of new Set(found)) problems.push(`actions[${i}]: ${problem}`);
    if (action.type === "http") {
      let url: URL | undefined;
      try {
        url = new URL(action.url);
      } catch { /* reported below */ }
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
        problems.push(`actions[${i}]: url "${action.url}" must be an http(s) URL`);
      }
    }
  });
  return problems;
}
