/**
 * The flow runs this process is executing, by run id: so an operator resume
 * reaches a live (drained) execution.
 *
 * @module
 */

/** What the pause API needs from a live execution. */
export interface LiveExecution {
  readonly terminated: boolean;
}

const live = new Map<string, LiveExecution>();

/** Records a live execution until the returned function is called. */
export function trackExecution(runId: string, execution: LiveExecution): () => void {
  live.set(runId, execution);
  return () => {
    if (live.get(runId) === execution) live.delete(runId);
  };
}

/** The execution of `runId` in this process, if any. */
export function activeExecution(runId: string): LiveExecution | undefined {
  return live.get(runId);
}
