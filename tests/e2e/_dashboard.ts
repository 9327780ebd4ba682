/**
 * Fixtures of the dashboard's browser tests: Debian's Chromium driven by
 * playwright-core (never a downloaded browser), and the real app served on
 * 127.0.0.1 over a memory engine that the test fills by running flows.
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";
import {
  createEngine,
  createIdSource,
  createMemoryStore,
  type Engine,
  systemClock,
} from "../../engine/mod.ts";
import { createLocalControlPlane, type LocalControlPlane } from "../../sdk/mod.ts";
import { createApp } from "../../server/app.ts";
import { SecretCipher } from "../../engine/secrets/mod.ts";

/** Where Debian installs Chromium (`apt-get install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests can run here. */
export const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** Options for `Deno.test` of a browser test: skipped, with a reason, without Chromium. */
export const BROWSER_TEST = {
  ignore: !hasChromium,
  // Chromium's pipes and the SSE sockets outlive single awaits by design.
  sanitizeOps: false,
  sanitizeResources: false,
} as const;

if (!hasChromium) {
  console.warn(
    `Skipping dashboard browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`,
  );
}

/** Launches headless Chromium with no network side-channels; `args` are added to its flags. */
export function launchBrowser(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...args,
    ],
  });
}

/** A running dashboard and the engine behind it. */
export interface Dashboard extends AsyncDisposable {
  base: string;
  engine: Engine;
  plane: LocalControlPlane;
  browser: Browser;
}

/** Serves the app on a free port of 127.0.0.1 and opens a browser. */
export async function openDashboard(
  options: { apiKey?: string; secretKey?: string } = {},
): Promise<Dashboard> {
  const engine = createEngine({
    store: createMemoryStore(),
    clock: systemClock,
    ids: createIdSource(),
  });
  const plane = createLocalControlPlane(engine, systemClock);
  const secretCipher = options.secretKey
    ? await SecretCipher.fromKey(options.secretKey)
    : undefined;
  const stop = new AbortController();
  const app = createApp({
    engine,
    clock: systemClock,
    signal: stop.signal,
    heartbeatMs: 1_000,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(secretCipher ? { secretCipher } : {}),
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    app.fetch,
  );
  const browser = await launchBrowser();
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    engine,
    plane,
    browser,
    async [Symbol.asyncDispose]() {
      await browser.close();
      stop.abort();
      await server.shutdown();
      await engine.close();
    },
  };
}

export { deferred, until } from "../ui/_fixtures.ts";
