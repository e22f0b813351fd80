/** Reading back what a run recovered: every tier's inventory, in tier order. */
import { type ArtifactStore, runArtifactKey } from '../artifacts/artifact-store';
import { FAILOVER_ARTIFACTS, type TierRef } from './failover-run';
import type { TierInventory } from './recovered-resource';

export async function readTierInventories(
  artifacts: ArtifactStore,
  app: string,
  runId: string,
  tiers: readonly TierRef[],
): Promise<(TierInventory & { readyAt?: string })[]> {
  const inventories = await Promise.all(
    tiers.map((tier) =>
      artifacts.getJsonIfExists<TierInventory & { readyAt?: string }>(
        runArtifactKey(app, runId, FAILOVER_ARTIFACTS.tierInventory(tier.index)),
      ),
    ),
  );
  return inventories.filter((i): i is TierInventory & { readyAt?: string } => i !== undefined);
}
