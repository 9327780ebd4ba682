/**
 * The table of the walker's recursive steps that every `PlanBuilder` carries.
 *
 * @module
 */

import type { Walk } from "./_builder.ts";
import { evaluateCall, walkArrayCallback } from "./_calls.ts";
import { declareVariables } from "./_declarations.ts";
import { evaluateElements } from "./_elements.ts";
import { evaluate } from "./_expressions.ts";
import { walkFunction } from "./_functions.ts";
import { walkStatement, walkStatements } from "./_statements.ts";

/** The planner's walk: one entry per step file. */
export const WALK: Walk = {
  evaluate,
  evaluateCall,
  evaluateElements,
  walkArrayCallback,
  walkFunction,
  walkStatements,
  walkStatement,
  declareVariables,
};
