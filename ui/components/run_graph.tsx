import type { StateType } from "../../engine/mod.ts";
import { formatCount, presentStates, stateLabel, total } from "../format.ts";
import type { GraphLayout, GraphNode } from "../types.ts";

/** Props of {@linkcode RunGraph}. */
export interface RunGraphProps {
  graph: GraphLayout;
}

const PAD = 16;

/** The run's DAG as SVG, from a layout computed on the server. */
export function RunGraph({ graph }: RunGraphProps) {
  const width = graph.width + 2 * PAD;
  const height = graph.height + 2 * PAD;
  return (
    <svg
      class="graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="Task graph"
      data-live="graph"
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
            class={`edge ${edge.kind}`}
            d={edge.points.map((p, i) =>
              `${i === 0 ? "M" : "L"} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`
            )
              .join(" ")}
            marker-end="url(#arrow)"
          >
            <title>
              {`${edge.kind === "data" ? "data" : "waits for"}: ${formatCount(edge.count)}`}
            </title>
          </path>
        ))}
        {graph.nodes.map((node) => <Node key={node.id} node={node} />)}
      </g>
    </svg>
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
      class={`node ${node.kind}`}
      data-node={node.id}
      data-run-id={node.runId ?? undefined}
    >
      <title>
        {`${node.label}: ${
          states.map((s) => `${formatCount(node.counts[s]!)} ${stateLabel(s).toLowerCase()}`).join(
            ", ",
          )
        }`}
      </title>
      <rect class="box" x={left} y={top} width={node.width} height={node.height} rx={8} />
      <text class="label" x={left + 10} y={top + 18}>{clip(node.label, node.width)}</text>
      <text x={left + 10} y={top + 34}>{node.detail}</text>
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

function clip(text: string, width: number): string {
  const max = Math.floor((width - 20) / 7);
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}
