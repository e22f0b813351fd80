/**
 * The DNS shift of one failback episode, kept in the bucket so every step, a rollback and a
 * re-run of the same failback all work from the same records: what each managed record was,
 * what it must become, and how far the shift has gone.
 */
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { ShiftPosition, ShiftRecord } from './staged-dns';

export interface ZoneShift {
  readonly id: string;
  readonly name: string;
  /** Rewritten once, at the data cutover, with the home database endpoints (see shift-dns). */
  records: ShiftRecord[];
}

export interface DnsShiftState {
  readonly failbackId: string;
  readonly zones: ZoneShift[];
  /** Stateless records. null: nothing applied; a weight: the pairs stand at it; 100: home. */
  applied: number | null;
  /** The last weight whose health gate passed: where a rollback returns the stateless records to. */
  lastGood: number | null;
  /**
   * The stateful records moved home (the data cutover). From then on the home database is the one
   * writable database: a rollback moves only stateless records and leaves these home.
   */
  dataMoved?: boolean;
  /** When the data cutover was applied. */
  dataMovedAt?: string;
  /** Stateless records not yet shifted point at the maintenance target (a maintenance freeze). */
  maintenance?: boolean;
  history: {
    weight: number | null;
    at: string;
    changes: number;
    changeIds: string[];
    kind: 'shift' | 'rollback' | 'data' | 'maintenance' | 'maintenance-end';
  }[];
}

export function dnsShiftKey(app: string, failbackId: string): string {
  return `episodes/${app}/failback-${failbackId}/dns-shift.json`;
}

export async function readDnsShift(
  artifacts: ArtifactStore,
  app: string,
  failbackId: string,
): Promise<DnsShiftState | undefined> {
  return artifacts.getJsonIfExists<DnsShiftState>(dnsShiftKey(app, failbackId));
}

export async function writeDnsShift(
  artifacts: ArtifactStore,
  app: string,
  state: DnsShiftState,
): Promise<void> {
  await artifacts.putJson(dnsShiftKey(app, state.failbackId), state);
}

export function positionOf(state: DnsShiftState): ShiftPosition {
  return {
    applied: state.applied,
    dataMoved: state.dataMoved === true,
    maintenance: state.maintenance === true,
  };
}
