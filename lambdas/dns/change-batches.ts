/**
 * Splitting a zone's changes into ChangeResourceRecordSets requests.
 * A change batch is atomic, so one batch per zone is best; only Route 53's request limits force more.
 * Route 53 counts the records and value characters of an UPSERT twice (it is a delete plus a create).
 */
import type { Change } from '@aws-sdk/client-route-53';
import { normaliseDnsName } from './dns-name';

export interface ChangeBatchLimits {
  /** Change elements per request. @default 1000 */
  maxChanges?: number;
  /** ResourceRecord elements per request, UPSERTs counted twice. @default 1000 */
  maxRecords?: number;
  /** Characters in all Value elements of a request, UPSERTs counted twice. @default 32000 */
  maxValueChars?: number;
}

/** What one change, or a group of them, uses of a request's limits. */
export interface BatchCost {
  changes: number;
  records: number;
  valueChars: number;
}

export function changeCost(change: Change): BatchCost {
  const values = change.ResourceRecordSet?.ResourceRecords ?? [];
  const weight = change.Action === 'UPSERT' ? 2 : 1;
  const chars = values.reduce((sum, record) => sum + (record.Value ?? '').length, 0);
  return { changes: 1, records: values.length * weight, valueChars: chars * weight };
}

/**
 * The changes in as few batches as the limits allow. Changes to one name stay in one batch, because
 * replacing a record with one of another type (a DELETE of an A record and a CREATE of a CNAME) only
 * works atomically. A name whose changes cannot fit one batch is split change by change when that is
 * safe (no DELETE among them); otherwise, and for a single change over the limits, this throws.
 */
export function toChangeBatches(changes: readonly Change[], limits: ChangeBatchLimits = {}): Change[][] {
  const max: BatchCost = {
    changes: limits.maxChanges ?? 1000,
    records: limits.maxRecords ?? 1000,
    valueChars: limits.maxValueChars ?? 32000,
  };
  const batches: { changes: Change[]; cost: BatchCost }[] = [];
  const place = (group: readonly Change[], cost: BatchCost) => {
    // First fit keeps the batch count low while keeping each batch in the original order.
    const batch = batches.find((candidate) => fits(add(candidate.cost, cost), max));
    if (batch) {
      batch.changes.push(...group);
      batch.cost = add(batch.cost, cost);
    } else batches.push({ changes: [...group], cost });
  };

  for (const [name, group] of groupByName(changes)) {
    const groupCost = group.map(changeCost).reduce(add);
    if (fits(groupCost, max)) {
      place(group, groupCost);
      continue;
    }
    if (group.some((change) => change.Action === 'DELETE')) {
      throw new Error(`the changes to ${name} include a DELETE and do not fit in one change batch`);
    }
    for (const change of group) {
      const cost = changeCost(change);
      if (!fits(cost, max)) throw new Error(`a change to ${name} is larger than one change batch allows`);
      place([change], cost);
    }
  }
  return batches.map((batch) => batch.changes);
}

function groupByName(changes: readonly Change[]): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  for (const change of changes) {
    const name = normaliseDnsName(change.ResourceRecordSet?.Name ?? '');
    const group = groups.get(name);
    if (group) group.push(change);
    else groups.set(name, [change]);
  }
  return groups;
}

function add(a: BatchCost, b: BatchCost): BatchCost {
  return {
    changes: a.changes + b.changes,
    records: a.records + b.records,
    valueChars: a.valueChars + b.valueChars,
  };
}

function fits(cost: BatchCost, max: BatchCost): boolean {
  return cost.changes <= max.changes && cost.records <= max.records && cost.valueChars <= max.valueChars;
}
