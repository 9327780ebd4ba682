import type { Artifact } from "../../engine/mod.ts";
import { ArtifactView } from "../components/artifact_view.tsx";
import { Layout } from "../components/layout.tsx";
import { runHref } from "../links.ts";
import type { PageContext } from "../types.ts";

/** Props of {@linkcode ArtifactKeyPage}. */
export interface ArtifactKeyPageProps {
  ctx: PageContext;
  artifactKey: string;
  /** Stored versions, newest first. */
  versions: readonly Artifact[];
  /** How many versions were ever created (purged ones included). */
  created: number;
}

/** The history of one artifact key: each stored version, newest first, with its run. */
export function ArtifactKeyPage({ ctx, artifactKey, versions, created }: ArtifactKeyPageProps) {
  return (
    <Layout title={`Artifact ${artifactKey}`} ctx={ctx} active="artifacts">
      <nav class="crumbs small" aria-label="Breadcrumb">
        <a href="/artifacts">Artifacts</a> / {artifactKey}
      </nav>
      <h1>{artifactKey}</h1>
      <p class="muted">
        {`${versions.length} stored version${versions.length === 1 ? "" : "s"} of ${created}`}
      </p>
      <section class="panel">
        {versions.map((artifact) => (
          <div key={artifact.id} data-version={artifact.version}>
            <h2 class="small">
              {`Version ${artifact.version} · `}
              <a href={runHref(artifact.flowRunId, "artifacts")}>its flow run</a>
            </h2>
            <ArtifactView
              artifact={{
                id: artifact.id,
                key: artifact.key,
                type: artifact.type,
                description: artifact.description,
                data: artifact.data,
                createdAt: artifact.createdAt,
              }}
            />
          </div>
        ))}
      </section>
    </Layout>
  );
}
