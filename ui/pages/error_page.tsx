import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../types.ts";

/** Props of {@linkcode ErrorPage}. */
export interface ErrorPageProps {
  ctx: PageContext;
  status: number;
  message: string;
}

const TITLES: Record<number, string> = {
  400: "Bad request",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  503: "Storage unavailable",
};

/** An error with its message and a way back. */
export function ErrorPage({ ctx, status, message }: ErrorPageProps) {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "Error");
  return (
    <Layout title={title} ctx={ctx}>
      <section class="panel error">
        <h1>{`${status} · ${title}`}</h1>
        <p>{message}</p>
        {status === 503 && (
          <p>
            Pages that only read keep working. Free disk space (or fix the storage) and changes are
            recorded again by themselves; nothing acknowledged before was lost.
          </p>
        )}
        <p>
          <a href="/">Back to the runs</a>
        </p>
      </section>
    </Layout>
  );
}
