/**
 * Codes of the planner's diagnostics.
 *
 * @module
 */

/** Every code a planner diagnostic can carry. */
export const DiagnosticCode = {
  /** The source does not parse; the plan is empty. */
  ParseError: "PARSE_ERROR",
  /** The module defines no flow. */
  NoFlow: "NO_FLOW",
  /** `flowName` names no flow of the module. */
  FlowNotFound: "FLOW_NOT_FOUND",
  /** The module defines several flows and no `flowName` was given. */
  AmbiguousFlow: "AMBIGUOUS_FLOW",
  /** The flow's function could not be found (for example it is imported). */
  FlowBodyNotFound: "FLOW_BODY_NOT_FOUND",
  /** Invocations under `if`, `?:`, `switch`, `&&`, `||`, `??` or `catch`. */
  DynamicConditional: "DYNAMIC_CONDITIONAL",
  /** Invocations in a loop whose iteration count is not a constant. */
  DynamicLoop: "DYNAMIC_LOOP",
  /** A constant loop above the unroll cap. */
  LoopTooLarge: "LOOP_TOO_LARGE",
  /** Invocations inside a callback or local function the planner cannot count. */
  DynamicCallback: "DYNAMIC_CALLBACK",
  /** A task or flow used as a value (`tasks[i]()`, `xs.map(inc)`). */
  DynamicTaskReference: "DYNAMIC_TASK_REFERENCE",
  /** A non-literal task, gate or deployment name. */
  DynamicName: "DYNAMIC_NAME",
  /** A `return` or `throw` under a condition makes what follows conditional. */
  ConditionalExit: "CONDITIONAL_EXIT",
  /** A call of a module function that itself uses tasks or flows. */
  OpaqueCall: "OPAQUE_CALL",
} as const;

/** One of the {@linkcode DiagnosticCode} values. */
export type DiagnosticCode = typeof DiagnosticCode[keyof typeof DiagnosticCode];
