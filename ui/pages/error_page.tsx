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
};

/** An error with its message and a way back. */
export function ErrorPage({ ctx, status, message }: ErrorPageProps) {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "Error");
  return (
    <Layout title={title} ctx={ctx}>
      <section class="panel error">
        <h1>{`${status} · ${title}`}</h1>
        <p>{message}</p>
        <p>
          <a href="/">Back to the runs</a>
        </p>
      </section>
    </Layout>
  );
}
