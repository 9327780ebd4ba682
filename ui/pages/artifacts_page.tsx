import type { ArtifactKeyEntry } from "../../engine/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import { artifactHref, runHref } from "../links.ts";
import type { PageContext } from "../types.ts";

/** Props of {@linkcode ArtifactsPage}. */
export interface ArtifactsPageProps {
  ctx: PageContext;
  keys: readonly ArtifactKeyEntry[];
  /** Link to the next page of keys; null on the last. */
  nextHref: string | null;
}

/** The artifacts catalog: each artifact key with its newest version. */
export function ArtifactsPage({ ctx, keys, nextHref }: ArtifactsPageProps) {
  return (
    <Layout title="Artifacts" ctx={ctx} active="artifacts">
      <h1>Artifacts</h1>
      <section class="panel flush" tabIndex={0}>
        {keys.length === 0
          ? (
            <EmptyState
              title="No artifacts with a key"
              command={`await createMarkdownArtifact("# Report", { key: "daily-report" });`}
            >
              <p>
                An artifact created with a key gets a new version each time a run creates it again.
                Keyed artifacts are listed here with their newest version; every artifact is also on
                its run's Artifacts tab.
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Type</th>
                  <th class="num">Versions</th>
                  <th>Latest from</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {keys.map(({ key, versions, latest }) => (
                  <tr key={key} data-artifact-key={key}>
                    <td>
                      <a href={artifactHref(key)}>{key}</a>
                    </td>
                    <td>{latest?.type ?? <span class="muted">purged</span>}</td>
                    <td class="num">{versions}</td>
                    <td>
                      {latest ? <a href={runHref(latest.flowRunId, "artifacts")}>flow run</a> : ""}
                    </td>
                    <td>{latest ? <TimeLabel ms={latest.updatedAt} /> : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        {nextHref && (
          <div class="pager">
            <a href={nextHref}>Next page</a>
          </div>
        )}
      </section>
    </Layout>
  );
}
