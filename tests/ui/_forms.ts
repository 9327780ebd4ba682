/**
 * Helpers of the dashboard form tests: an app over a memory engine on a fake
 * clock, a page's CSRF token, a form post, and the problem shown under a field.
 *
 * @module
 */
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { createApp } from "../../server/app.ts";
import { FakeClock, NOW, testEngine } from "./_fixtures.ts";

/** The dashboard app. */
export type App = ReturnType<typeof createApp>;

/** A memory engine on a fake clock at {@linkcode NOW}, its dashboard app and deployment service. */
export function formApp(clock: FakeClock = new FakeClock(NOW)) {
  const t = testEngine(clock);
  const app = createApp({ engine: t.engine, clock });
  return { ...t, clock, app, service: new DeploymentService(t.engine) };
}

/** The CSRF token of the form on the page at `path`. */
export async function csrfOf(app: App, path: string): Promise<string> {
  const page = await (await app.request(path)).text();
  return page.match(/name="_csrf" value="([^"]+)"/)![1]!;
}

/** Posts `fields` as a URL-encoded form, as a browser does. */
export function postForm(app: App, path: string, fields: Record<string, string>) {
  return app.request(path, { method: "POST", body: new URLSearchParams(fields) });
}

/**
 * The problem shown right under the field `id` (its `aria-describedby`
 * error), quotes unescaped; null when the field is not marked invalid.
 */
export function fieldError(page: string, id: string): string | null {
  if (!new RegExp(`id="${id}"[^>]*aria-invalid="true"`).test(page)) return null;
  const match = page.match(new RegExp(`<span id="${id}-error" class="field-error"[^>]*>([^<]*)<`));
  return match ? match[1]!.replaceAll("&quot;", '"') : null;
}
