/**
 * Where deployment commands go: the server at `IRONFLOW_API_URL` when it is
 * set, else the embedded store under `IRONFLOW_HOME`.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  createLocalDeploymentClient,
  createRemoteDeploymentClient,
  type DeploymentClient,
} from "../sdk/deployment_client.ts";
import { type ControlPlane, createRemoteControlPlane, ironflowHomeDir } from "../sdk/mod.ts";
import type { CliContext } from "./io.ts";
import type { Engine } from "../engine/mod.ts";

/** A deployment client with the control plane next to it. */
export interface DeploymentTarget {
  client: DeploymentClient;
  plane: ControlPlane;
  /** The server URL in remote mode. */
  apiUrl?: string;
  /** The absolute IRONFLOW_HOME in local mode. */
  home?: string;
  /** The engine on that home in local mode. */
  engine?: Engine;
}

/** Opens the target of this invocation. */
export function openDeploymentTarget(cli: CliContext): DeploymentTarget {
  const url = cli.apiUrl;
  if (url) {
    const apiKey = cli.apiKey;
    const auth = apiKey ? { apiKey } : {};
    return {
      client: createRemoteDeploymentClient({ url, ...auth }),
      plane: createRemoteControlPlane({ url, ...auth }),
      apiUrl: url,
    };
  }
  const plane = cli.openPlane();
  return {
    client: createLocalDeploymentClient(plane.engine),
    plane,
    home: resolve(cli.cwd, ironflowHomeDir()),
    engine: plane.engine,
  };
}
