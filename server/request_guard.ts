/**
 * Guards against other web sites. A page of another origin can make the
 * user's browser send simple requests to this server (forms, `text/plain`
 * and `no-cors` fetches), and a DNS-rebinding page can even read answers
 * under its own host name. So:
 *
 * - {@linkcode hostGuard}: the server answers only the host names it serves
 *   (loopback names and an allowlist).
 * - {@linkcode crossSiteGuard}: a request that changes state (anything but
 *   GET, HEAD, OPTIONS) is refused when `Origin` or `Sec-Fetch-Site` says it
 *   came from another site, and an API one also when it lacks the media type
 *   that no browser can send cross-origin without a CORS preflight (which the
 *   server never grants): `application/json`, or `application/octet-stream`
 *   for `PUT /api/results/{ref}`. Dashboard forms carry a CSRF token instead
 *   (`server/dashboard/session.ts`).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

/** Methods that never change state. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Parses an allowlist: comma- or space-separated host names, `host:port`,
 * `.example.com` (the domain and its subdomains) or `*` (any host).
 *
 * @example
 * ```ts
 * import { parseAllowedHosts } from "./request_guard.ts";
 * console.log(parseAllowedHosts("flows.example.com, .corp.example ,10.0.0.5:4200"));
 * // ["flows.example.com", ".corp.example", "10.0.0.5:4200"]
 * ```
 */
export function parseAllowedHosts(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(/[\s,]+/).map(normalHost).filter((host) => host !== "");
}

/**
 * Whether `host` (a URL's `host`: name, optional port) is one the server
 * serves: a loopback name on any port, or one `allowed` entry.
 *
 * @example
 * ```ts
 * import { hostAllowed } from "./request_guard.ts";
 * console.log(hostAllowed("localhost:4200", []), hostAllowed("evil.example", [])); // true false
 * console.log(hostAllowed("a.corp.example", [".corp.example"])); // true
 * ```
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const { name, port } = splitHost(normalHost(host));
  if (LOOPBACK_NAMES.has(name)) return true;
  return allowed.some((entry) => {
    if (entry === "*") return true;
    const want = splitHost(entry);
    if (want.port !== "" && want.port !== port) return false;
    if (want.name.startsWith(".")) {
      return name === want.name.slice(1) || name.endsWith(want.name);
    }
    return want.name === name;
  });
}

/** Options of {@linkcode hostGuard}. */
export interface HostGuardOptions {
  /** Host names served beside the loopback names (see {@linkcode parseAllowedHosts}). */
  allowedHosts?: readonly string[];
}

/**
 * Middleware answering 421 to a request whose `Host` the server does not
 * serve. `/health` is exempt so load balancers may probe by address.
 */
export function hostGuard(options: HostGuardOptions = {}): MiddlewareHandler {
  const allowed = (options.allowedHosts ?? []).map(normalHost).filter((h) => h !== "");
  return async function refuseForeignHosts(c, next) {
    const host = new URL(c.req.url).host;
    if (c.req.path === "/health" || hostAllowed(host, allowed)) return await next();
    return c.json(
      errorBody(
        "host_not_allowed",
        `Host "${host}" is not served here: add it to IRONFLOW_ALLOWED_HOSTS (or --allowed-hosts) ` +
          "if this server should answer it",
        { host },
      ),
      421,
    );
  };
}

/** Middleware refusing state-changing requests another site could forge (403). */
export function crossSiteGuard(): MiddlewareHandler {
  return async function refuseCrossSite(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const problem = crossSiteProblem(c) ?? mediaTypeProblem(c);
    if (problem === undefined) return await next();
    return c.json(errorBody(problem.code, problem.message), 403);
  };
}

/** Why the request looks like it came from another site, if it does. */
function crossSiteProblem(c: Context): { code: string; message: string } | undefined {
  const method = c.req.method;
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return {
      code: "cross_origin_request",
      message: `Refused a ${method} request with Sec-Fetch-Site "${site}": ` +
        "only this server's own pages and API clients may change state",
    };
  }
  const origin = c.req.header("origin");
  if (origin !== undefined && !sameHost(origin, new URL(c.req.url).host)) {
    return {
      code: "cross_origin_request",
      message: `Refused a ${method} request from origin "${origin}": ` +
        "only this server's own pages and API clients may change state",
    };
  }
  return undefined;
}

/** Why an API request's body type could have been sent by a page of another site. */
function mediaTypeProblem(c: Context): { code: string; message: string } | undefined {
  const path = c.req.path;
  if (path !== "/api" && !path.startsWith("/api/")) return undefined;
  const wanted = c.req.method === "PUT" && path.startsWith("/api/results/")
    ? "application/octet-stream"
    : "application/json";
  const given = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (given === wanted) return undefined;
  return {
    code: "csrf_failed",
    message: `Refused a ${c.req.method} request with Content-Type "${given}": ` +
      `API requests that change state must send Content-Type ${wanted}`,
  };
}

// Behind a TLS-terminating proxy the server sees http while the browser's
// origin is https, so the scheme is not compared; the host:port is.
function sameHost(origin: string, host: string): boolean {
  if (origin === "null") return false;
  try {
    return normalHost(new URL(origin).host) === normalHost(host);
  } catch {
    return false;
  }
}

function normalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.(?=:\d+$|$)/, "");
}

function splitHost(host: string): { name: string; port: string } {
  const match = host.match(/^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/);
  return { name: match?.[1] ?? host, port: match?.[2] ?? "" };
}
