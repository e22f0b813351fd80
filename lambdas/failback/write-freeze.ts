/**
 * The write freeze of one failback episode, kept in the bucket: how writes were stopped in the
 * recovery region, when the freeze held, what to undo, and whether it was undone. Every sync after
 * it is judged against `frozenAt`: a final snapshot taken, or a replica lag measured, before that
 * moment may miss writes.
 */
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { FreezeMode } from '../plan/plan-schema';

export interface FrozenDatabase {
  readonly recoveryId: string;
  readonly engine: string;
  /** The parameter group the database had before the freeze: what an unfreeze puts back. */
  readonly originalGroup: string;
  /** Pendulum's read-only copy of it. */
  readonly frozenGroup: string;
}

export interface WriteFreeze {
  readonly failbackId: string;
  readonly runId: string;
  readonly mode: FreezeMode;
  /** When Pendulum started the freeze. */
  readonly requestedAt: string;
  /** When the freeze held (hooks answered, parameters applied, maintenance records in sync); absent for `none`. */
  frozenAt?: string;
  readonly databases: FrozenDatabase[];
  /** When writes were allowed again in the recovery region (a failback that stopped before its data cutover). */
  unfrozenAt?: string;
}

export function writeFreezeKey(app: string, failbackId: string): string {
  return `episodes/${app}/failback-${failbackId}/write-freeze.json`;
}

export async function readWriteFreeze(
  artifacts: ArtifactStore,
  app: string,
  failbackId: string,
): Promise<WriteFreeze | undefined> {
  return artifacts.getJsonIfExists<WriteFreeze>(writeFreezeKey(app, failbackId));
}

export async function saveWriteFreeze(
  artifacts: ArtifactStore,
  app: string,
  freeze: WriteFreeze,
): Promise<void> {
  await artifacts.putJson(writeFreezeKey(app, freeze.failbackId), freeze);
}

/** A freeze that holds now: made, and not undone since. */
export function activeFreeze(freeze: WriteFreeze | undefined): WriteFreeze | undefined {
  return freeze && freeze.unfrozenAt === undefined ? freeze : undefined;
}
