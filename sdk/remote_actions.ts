/**
 * Operator actions and heartbeats over HTTP: the server's engine judges
 * them, and its refusals come back as the same domain errors an in-process
 * engine throws, so a caller handles one set of errors whichever plane it
 * uses.
 *
 * @module
 */
import {
  ConflictError,
  type HeartbeatAnswer,
  InvalidInputError,
  InvalidTransitionError,
  NotFoundError,
  type StateType,
} from "../engine/mod.ts";
import {
  type ApiProposalResult,
  type ApiRun,
  fromApiProposalResult,
  fromApiRun,
} from "../wire/runs.ts";
import type { RunActions } from "./control_plane.ts";
import { type HttpClient, RemoteError } from "./http_client.ts";

/** One JSON request to the server (retries and error answers are the caller's). */
export type JsonRequest = HttpClient["request"];

// The server's refusal as the domain error the engine threw there.
function domainError(error: unknown): unknown {
  if (!(error instanceof RemoteError)) return error;
  const options = { cause: error, code: error.code };
  if (error.status === 404) return new NotFoundError(error.message, options);
  if (error.code === "invalid_input") {
    return new InvalidInputError(error.message, problemsOf(error.details), options);
  }
  if (error.code === "invalid_transition") {
    return new InvalidTransitionError(error.message, options);
  }
  if (error.status === 409) return new ConflictError(error.message, options);
  return error;
}

function problemsOf(details: unknown): string[] {
  const problems = (details as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? problems.filter((p) => typeof p === "string") : [];
}

/** The operator actions of the server at the other end of `request`. */
export function remoteRunActions(request: JsonRequest): RunActions {
  const act = async (runId: string, action: string, body: unknown) => {
    try {
      const answer = await request<{ result: ApiProposalResult; run: ApiRun }>(
        "POST",
        `/api/flow-runs/${encodeURIComponent(runId)}/${action}`,
        body,
      );
      return { result: fromApiProposalResult(answer!.result), run: fromApiRun(answer!.run) };
    } catch (error) {
      throw domainError(error);
    }
  };
  return {
    cancel: (runId, options = {}) =>
      act(runId, "cancel", options.reason !== undefined ? { reason: options.reason } : {}),
    pause: (runId, options) =>
      act(runId, "pause", {
        mode: options.mode,
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
      }),
    resume: (runId, options = {}) =>
      act(runId, "resume", options.input !== undefined ? { input: options.input } : {}),
    async retry(runId) {
      try {
        const run = await request<ApiRun>(
          "POST",
          `/api/flow-runs/${encodeURIComponent(runId)}/retry`,
          {},
        );
        return fromApiRun(run!);
      } catch (error) {
        throw domainError(error);
      }
    },
  };
}

/** The wire form of a heartbeat answer. */
export interface ApiHeartbeatAnswer {
  run_id: string;
  state: StateType | null;
  state_name: string | null;
  stop: boolean;
}

/** Heartbeats runs through the server's `POST /api/flow-runs/heartbeat`. */
export async function remoteHeartbeat(
  request: JsonRequest,
  runIds: readonly string[],
): Promise<HeartbeatAnswer[]> {
  const answer = await request<{ items: ApiHeartbeatAnswer[] }>(
    "POST",
    "/api/flow-runs/heartbeat",
    { run_ids: runIds },
  );
  return (answer?.items ?? []).map((item) => ({
    runId: item.run_id,
    state: item.state,
    stateName: item.state_name,
    stop: item.stop,
  }));
}
