/**
 * What `--json` adds for a run that recorded an outcome: the figures people ask for first
 * (RPO per resource, what was recovered, the DNS changes, the snapshot to fail back against),
 * read from the outcome document the run wrote to the artifact bucket.
 */
import { ArtifactStore } from '../lambdas/artifacts/artifact-store';
import type { Plan } from '../lambdas/plan/plan-schema';
import {
  type DnsCutoverDocument,
  dnsFromCutover,
  type OutcomeDocument,
} from '../lambdas/reports/report-from-outcome';
import { s3Client, stackResources } from './stack-resources';

export interface OutcomeDetails {
  readonly outcomeKey: string;
  readonly rpoSeconds: Record<string, number>;
  readonly recovered: unknown[];
  readonly dnsChanges: ReturnType<typeof dnsFromCutover>;
  readonly dnsSnapshotKey?: string;
}

export async function outcomeDetails(
  plan: Plan,
  local: boolean | undefined,
  outcomeKey: string,
): Promise<OutcomeDetails | undefined> {
  const stack = await stackResources(plan, { local });
  const artifacts = new ArtifactStore(s3Client(stack.region), stack.bucketName);
  const outcome = await artifacts.getJsonIfExists<OutcomeDocument & { keys?: { dnsSnapshot?: string } }>(
    outcomeKey,
  );
  if (!outcome) return undefined;
  const cutoverKey = outcome.keys?.dnsCutover;
  const cutover = cutoverKey ? await artifacts.getJsonIfExists<DnsCutoverDocument>(cutoverKey) : undefined;
  const resources =
    (outcome.metrics as { resources?: { source: string; rpoSeconds: number }[] } | undefined)?.resources ??
    [];
  return {
    outcomeKey,
    rpoSeconds: Object.fromEntries(resources.map((r) => [r.source, r.rpoSeconds])),
    recovered: outcome.inventory ?? outcome.home ?? [],
    dnsChanges: dnsFromCutover(cutover),
    ...(outcome.keys?.dnsSnapshot ? { dnsSnapshotKey: outcome.keys.dnsSnapshot } : {}),
  };
}
