import type { StateType } from "../../engine/mod.ts";
import { formatCount, presentStates, stateLabel, total } from "../format.ts";
import { runHref } from "../links.ts";
import type { GraphCells, GraphLayout, GraphNode } from "../types.ts";

/** Props of {@linkcode RunGraph}. */
export interface RunGraphProps {
  graph: GraphLayout;
}

const PAD = 16;

/**
 * The run's DAG as SVG, from a layout computed on the server. Nodes of the
 * static plan with no run carry the class `planned` or `unreachable`, and
 * planned edges the class `planned`.
 */
export function RunGraph({ graph }: RunGraphProps) {
  const width = graph.width + 2 * PAD;
  const height = graph.height + 2 * PAD;
  return (
    <svg
      class="graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="group"
      aria-label="Task graph"
      data-chart="graph"
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path class="arrow" d="M 0 0 L 10 5 L 0 10 z" />
        </marker>
      </defs>
      <g transform={`translate(${PAD} ${PAD})`}>
        {graph.edges.map((edge) => (
          <path
            key={`${edge.from}>${edge.to}>${edge.kind}`}
            class={`edge ${edge.kind}${edge.planned ? " planned" : ""}`}
            d={edge.points.map((p, i) =>
              `${i === 0 ? "M" : "L"} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`
            )
              .join(" ")}
            marker-end="url(#arrow)"
          >
            <title>
              {`${edge.planned ? "planned, " : ""}${edge.kind === "data" ? "data" : "waits for"}: ${
                formatCount(edge.count)
              }`}
            </title>
          </path>
        ))}
        {graph.cells
          ? <DenseCells graph={graph} cells={graph.cells} />
          : graph.nodes.map((node) => <Node key={node.id} node={node} />)}
      </g>
    </svg>
  );
}

// Blocks with their label and squares: completed squares as one path per
// state name, the others as links to their task run.
function DenseCells({ graph, cells }: { graph: GraphLayout; cells: GraphCells }) {
  return (
    <>
      {graph.nodes.map((node) => {
        const left = node.x - node.width / 2;
        const top = node.y - node.height / 2;
        const label = (
          <text class="label" x={left + 6} y={top + 14}>
            {clip(`${node.label} ${node.detail}`, node.width)}
          </text>
        );
        return (
          <g key={node.id} class={`node block ${node.kind}`} data-node={node.id}>
            <rect class="box" x={left} y={top} width={node.width} height={node.height} rx={6} />
            {node.href ? <a href={node.href}>{label}</a> : label}
          </g>
        );
      })}
      {cells.quiet.map((path) => (
        <path key={path.stateName} class="f-COMPLETED cells" d={path.d}>
          <title>{path.stateName}</title>
        </path>
      ))}
      {cells.loud.map((cell) => (
        <a key={cell.id} href={runHref(cell.id)} data-cell={cell.id}>
          <rect
            class={`f-${cell.state}`}
            x={cell.x}
            y={cell.y}
            width={cells.size}
            height={cells.size}
          >
            <title>{`${cell.label}: ${cell.stateName}`}</title>
          </rect>
        </a>
      ))}
    </>
  );
}

function Node({ node }: { node: GraphNode }) {
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  const sum = total(node.counts);
  let offset = 0;
  const states = presentStates(node.counts);
  const body = (
    <g
      class={`node ${node.kind}${node.plan ? ` ${node.plan}` : ""}`}
      data-node={node.id}
      data-run-id={node.runId ?? undefined}
      data-plan={node.plan}
    >
      <title>
        {node.title ?? `${node.label}: ${
          states.map((s) => `${formatCount(node.counts[s]!)} ${stateLabel(s).toLowerCase()}`).join(
            ", ",
          )
        }`}
      </title>
      <rect class="box" x={left} y={top} width={node.width} height={node.height} rx={8} />
      <text class="label" x={left + 10} y={top + 18}>{clip(node.label, node.width)}</text>
      <text x={left + 10} y={top + 34}>{clip(node.detail, node.width, 6)}</text>
      {states.map((state: StateType) => {
        const w = ((node.counts[state] ?? 0) / Math.max(1, sum)) * (node.width - 20);
        const rect = (
          <rect
            key={state}
            class={`f-${state}`}
            x={(left + 10 + offset).toFixed(1)}
            y={top + node.height - 12}
            width={Math.max(1, w).toFixed(1)}
            height={5}
          />
        );
        offset += w;
        return rect;
      })}
    </g>
  );
  return node.href ? <a href={node.href}>{body}</a> : body;
}

function clip(text: string, width: number, charWidth = 7): string {
  const max = Math.floor((width - 20) / charWidth);
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** Props of {@linkcode GraphLegend}. */
export interface GraphLegendProps {
  graph: GraphLayout;
}

/**
 * The graph's key: its mode and notice, the edge kinds, and, when the flow's
 * static plan is drawn, how many planned nodes have not run and how many a
 * failure made unreachable.
 */
export function GraphLegend({ graph }: GraphLegendProps) {
  const plan = graph.plan;
  const used = plan?.status === "used";
  return (
    <div class="legend">
      <span>
        Mode: <strong>{graph.mode}</strong>
      </span>
      {graph.notice && <span>{graph.notice}</span>}
      <span title="A task's result flows into the next">
        <i class="k-edge data" />data
      </span>
      <span title="Runs after the other finishes">
        <i class="k-edge waitFor" />waits for
      </span>
      {used && plan.planned > 0 && (
        <span class="k-planned" title="In the flow's static plan; no task run yet">
          <i class="k-planned" />planned · {formatCount(plan.planned)}
        </span>
      )}
      {used && plan.unreachable > 0 && (
        <span
          class="k-unreachable"
          title="In the plan, downstream of a node that failed or was cancelled: it will not run"
        >
          <i class="k-unreachable" />unreachable · {formatCount(plan.unreachable)}
        </span>
      )}
      {used && plan.planned + plan.unreachable > 0 && (
        <span title="A dependency of the plan that no run has made yet">
          <i class="k-edge planned" />planned edge
        </span>
      )}
      {used && plan.dynamic && (
        <span>Parts of the plan are dynamic: planned nodes there may not run.</span>
      )}
      {plan?.status === "stale" && (
        <span class="k-stale">
          The flow's code changed since this run: its planned nodes are not drawn.
        </span>
      )}
    </div>
  );
}
