/**
 * The expanded run graph at a lower level of detail, for more task runs than
 * boxes can show (up to {@linkcode MAX_DENSE_NODES}): each task run is a
 * square coloured by its state, the squares of one task call (a map) form a
 * block, and blocks stand in columns by the longest chain of dependencies
 * before them. Completed squares are drawn as one path per state name;
 * every other square is a link to its task run, so the failing ones are a
 * click away. The layout is linear in the task runs (no dagre).
 *
 * @module
 */
import type { RunRecord, StateType } from "../../engine/mod.ts";
import {
  formatCount,
  type GraphCells,
  type GraphEdge,
  type GraphLayout,
  type GraphNode,
  runHref,
  type StateCounts,
} from "../../ui/mod.ts";

/** Most task runs the dense graph draws. */
export const MAX_DENSE_NODES = 10_000;

const CELL = 12;
const SQUARE = 10;
const MAX_COLUMNS = 40;
const LABEL_H = 20;
const PAD = 6;
const MIN_BLOCK_W = 150;
const GAP_X = 60;
const GAP_Y = 16;

interface Block {
  key: string;
  label: string;
  runs: RunRecord[];
  counts: StateCounts;
  rank: number;
  href: string | null;
}

/** The dense layout of `tasks` (and `subflows`, a block each) of flow run `flowRunId`. */
export function denseGraph(
  flowRunId: string,
  tasks: readonly RunRecord[],
  subflows: readonly RunRecord[],
): Omit<GraphLayout, "mode" | "notice"> {
  const blocks = blocksOf(flowRunId, tasks, subflows);
  const edges = blockEdges(tasks, blocks);
  rank(blocks, edges);
  const nodes: GraphNode[] = [];
  const quiet = new Map<string, string[]>();
  const loud: GraphCells["loud"][number][] = [];
  const columns = new Map<number, Block[]>();
  for (const block of blocks.values()) {
    columns.set(block.rank, [...(columns.get(block.rank) ?? []), block]);
  }
  let x = 0;
  let height = 0;
  const placed = new Map<string, GraphNode>();
  for (const rankNo of [...columns.keys()].sort((a, b) => a - b)) {
    const column = columns.get(rankNo)!;
    const widths = column.map((b) => Math.max(MIN_BLOCK_W, gridColumns(b) * CELL + 2 * PAD));
    const width = Math.max(...widths);
    let y = 0;
    for (const block of column) {
      const cols = gridColumns(block);
      const rows = Math.ceil(block.runs.length / cols);
      const h = LABEL_H + rows * CELL + PAD;
      const node: GraphNode = {
        id: block.key,
        kind: block.runs.length > 1 ? "map" : "task",
        label: block.label,
        detail: block.runs.length > 1 ? `×${formatCount(block.runs.length)} runs` : "",
        x: x + width / 2,
        y: y + h / 2,
        width,
        height: h,
        counts: block.counts,
        href: block.href,
        runId: block.runs.length === 1 ? block.runs[0]!.id : null,
      };
      nodes.push(node);
      placed.set(block.key, node);
      block.runs.forEach((run, i) => {
        const cx = x + PAD + (i % cols) * CELL;
        const cy = y + LABEL_H + Math.floor(i / cols) * CELL;
        if (run.state === "COMPLETED") {
          const path = quiet.get(run.stateName) ?? [];
          path.push(`M${cx} ${cy}h${SQUARE}v${SQUARE}h-${SQUARE}z`);
          quiet.set(run.stateName, path);
        } else {
          loud.push({
            id: run.id,
            label: run.runName,
            state: run.state,
            stateName: run.stateName,
            x: cx,
            y: cy,
          });
        }
      });
      y += h + GAP_Y;
    }
    height = Math.max(height, y - GAP_Y);
    x += width + GAP_X;
  }
  const laidEdges: GraphEdge[] = edges.map((edge) => {
    const from = placed.get(edge.from)!;
    const to = placed.get(edge.to)!;
    return {
      ...edge,
      points: [
        { x: from.x + from.width / 2, y: from.y },
        { x: to.x - to.width / 2, y: to.y },
      ],
    };
  });
  return {
    width: Math.max(0, x - GAP_X),
    height,
    nodes,
    edges: laidEdges,
    cells: {
      size: SQUARE,
      quiet: [...quiet].map(([stateName, parts]) => ({ stateName, d: parts.join("") })),
      loud,
    },
  };
}

function gridColumns(block: Block): number {
  return Math.max(1, Math.min(MAX_COLUMNS, Math.ceil(Math.sqrt(block.runs.length * 4))));
}

// One block per task call (task key) in creation order, then one per subflow run.
function blocksOf(
  flowRunId: string,
  tasks: readonly RunRecord[],
  subflows: readonly RunRecord[],
): Map<string, Block> {
  const blocks = new Map<string, Block>();
  for (const task of tasks) {
    const key = task.taskKey ?? task.id;
    let block = blocks.get(key);
    if (!block) {
      block = {
        key,
        label: task.name,
        runs: [],
        counts: {},
        rank: 0,
        href: runHref(flowRunId, "tasks", { name: task.name }),
      };
      blocks.set(key, block);
    }
    block.runs.push(task);
    block.counts[task.state] = (block.counts[task.state] ?? 0) + 1;
  }
  for (const sub of subflows) {
    blocks.set(`subflow:${sub.id}`, {
      key: `subflow:${sub.id}`,
      label: sub.runName,
      runs: [sub],
      counts: { [sub.state]: 1 } as Partial<Record<StateType, number>>,
      rank: 0,
      href: runHref(sub.id),
    });
  }
  return blocks;
}

// Block to block edges of the task runs' upstream edges, counted.
function blockEdges(
  tasks: readonly RunRecord[],
  blocks: ReadonlyMap<string, Block>,
): Omit<GraphEdge, "points">[] {
  const keyOf = new Map<string, string>();
  for (const block of blocks.values()) for (const run of block.runs) keyOf.set(run.id, block.key);
  const edges = new Map<string, Omit<GraphEdge, "points">>();
  for (const task of tasks) {
    const to = keyOf.get(task.id)!;
    for (const up of task.upstream) {
      const from = keyOf.get(up.runId);
      if (from === undefined || from === to) continue;
      const id = `${from}\u0000${to}\u0000${up.kind}`;
      const known = edges.get(id);
      if (known) known.count += 1;
      else edges.set(id, { from, to, kind: up.kind, count: 1 });
    }
  }
  return [...edges.values()];
}

// Longest path from a source, in topological order (Kahn); a cycle, which a
// DAG of runs cannot hold, would leave its blocks in column 0.
function rank(blocks: Map<string, Block>, edges: readonly Omit<GraphEdge, "points">[]): void {
  const incoming = new Map<string, number>();
  const outgoing = new Map<string, string[]>();
  for (const edge of edges) {
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
    outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge.to]);
  }
  const ready = [...blocks.keys()].filter((key) => !incoming.has(key));
  while (ready.length > 0) {
    const key = ready.shift()!;
    const block = blocks.get(key)!;
    for (const next of outgoing.get(key) ?? []) {
      const target = blocks.get(next)!;
      target.rank = Math.max(target.rank, block.rank + 1);
      const left = incoming.get(next)! - 1;
      incoming.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
}
