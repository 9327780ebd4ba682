/**
 * A tiny static file server on 127.0.0.1 for tests that import modules by URL.
 */

/** Serves files under `root` until disposed. */
export function serveDir(root: string): { url: string } & AsyncDisposable {
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    async (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      if (path.includes("..")) return new Response("forbidden", { status: 403 });
      try {
        const body = await Deno.readFile(`${root}${path.slice(1)}`);
        return new Response(body, { headers: { "content-type": "application/typescript" } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    async [Symbol.asyncDispose]() {
      controller.abort();
      await server.finished;
    },
  };
}
