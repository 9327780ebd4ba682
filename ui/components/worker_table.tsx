import type { WorkerRecord } from "../../engine/deployments/mod.ts";
import { formatDuration } from "../format.ts";
import { Pill } from "./pill.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode WorkerTable}. */
export interface WorkerTableProps {
  workers: readonly WorkerRecord[];
  now: number;
}

/** Workers of a pool: id, name, ONLINE/OFFLINE and their last heartbeat. */
export function WorkerTable({ workers, now }: WorkerTableProps) {
  return (
    <table>
      <thead>
        <tr>
          <th>Worker</th>
          <th>Id</th>
          <th>Status</th>
          <th>Last heartbeat</th>
          <th>First seen</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((worker) => (
          <tr key={worker.id} data-worker={worker.id}>
            <td>{worker.name}</td>
            <td class="mono small">{worker.id}</td>
            <td>
              {worker.status === "ONLINE"
                ? <Pill tone="ok">ONLINE</Pill>
                : <Pill tone="off" title="No heartbeat for 120 s or more">OFFLINE</Pill>}
            </td>
            <td>
              <TimeLabel ms={worker.lastHeartbeat} />
              <span class="muted small">
                {` · ${formatDuration(now - worker.lastHeartbeat)} ago`}
              </span>
            </td>
            <td>
              <TimeLabel ms={worker.createdAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
