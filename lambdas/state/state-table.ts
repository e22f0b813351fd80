/**
 * The state table adapter: one item per app for its status (the lock), one per run for its outcome,
 * one per tier for the protection run that holds it (the lease).
 * Every status change is a conditional write, so two executions can never both hold the lock.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { WrongStateError } from '../runtime/task-errors';
import { type AppStatus, INITIAL_STATUS, LOCK_RULES, type WorkflowKind } from './app-status';

export interface AppRecord {
  readonly app: string;
  readonly status: AppStatus;
  readonly activeRegion: string;
  /** The execution that holds (or last held) the lock. */
  readonly runId?: string;
  readonly updatedAt: string;
  readonly [extra: string]: unknown;
}

export const appKey = (app: string) => ({ pk: `APP#${app}`, sk: 'STATE' });
export const runKey = (app: string, runId: string) => ({ pk: `APP#${app}`, sk: `RUN#${runId}` });
export const protectLeaseKey = (app: string, tier: string) => ({ pk: `APP#${app}`, sk: `PROTECT#${tier}` });

export class StateTable {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getApp(app: string, primaryRegion: string): Promise<AppRecord> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: appKey(app), ConsistentRead: true }),
    );
    if (!Item)
      return {
        app,
        status: INITIAL_STATUS,
        activeRegion: primaryRegion,
        updatedAt: new Date(0).toISOString(),
      };
    return Item as AppRecord;
  }

  /**
   * Takes the workflow's lock. Taking it again with the same runId succeeds (a retried task or a
   * re-driven execution), any other holder or status is a WrongStateError that names the status.
   */
  async acquire(
    kind: WorkflowKind,
    app: string,
    runId: string,
    primaryRegion: string,
    now: Date,
    fields: Record<string, unknown> = {},
  ): Promise<AppRecord> {
    const rule = LOCK_RULES[kind];
    const extra = Object.keys(fields);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: appKey(app),
          UpdateExpression: `SET #status = :during, runId = :run, updatedAt = :now, app = :app, activeRegion = if_not_exists(activeRegion, :primary), previousStatus = if_not_exists(#status, :initial)${extra.map((_, i) => `, #x${i} = :x${i}`).join('')}`,
          ConditionExpression: `attribute_not_exists(#status) OR #status IN (${rule.from.map((_, i) => `:from${i}`).join(', ')}) OR (#status = :during AND runId = :run)`,
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(extra.map((name, i) => [`#x${i}`, name])),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(extra.map((name, i) => [`:x${i}`, fields[name]])),
            ':during': rule.during,
            ':run': runId,
            ':now': now.toISOString(),
            ':app': app,
            ':primary': primaryRegion,
            ':initial': INITIAL_STATUS,
            ...Object.fromEntries(rule.from.map((status, i) => [`:from${i}`, status])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as AppRecord;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        const current = await this.getApp(app, primaryRegion);
        throw new WrongStateError(
          `${kind} cannot start: ${app} is ${current.status}${current.runId ? ` (run ${current.runId})` : ''}; it needs ${rule.from.join(' or ')}`,
          { status: current.status, runId: current.runId },
        );
      }
      throw error;
    }
  }

  /** Ends the run: only the lock holder may, so a stale retry cannot overwrite a newer run. */
  async release(
    kind: WorkflowKind,
    app: string,
    runId: string,
    outcome: 'succeeded' | 'failed',
    fields: Record<string, unknown>,
    now: Date,
  ): Promise<AppRecord> {
    const rule = LOCK_RULES[kind];
    const status = outcome === 'succeeded' ? rule.succeeded : rule.failed;
    const sets = Object.keys(fields).map((_name, i) => `#f${i} = :f${i}`);
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: appKey(app),
          UpdateExpression: `SET #status = :status, updatedAt = :now${sets.length ? `, ${sets.join(', ')}` : ''}`,
          ConditionExpression: 'runId = :run AND #status IN (:during, :status)',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(Object.keys(fields).map((name, i) => [`#f${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':status': status,
            ':during': rule.during,
            ':run': runId,
            ':now': now.toISOString(),
            ...Object.fromEntries(Object.values(fields).map((value, i) => [`:f${i}`, value])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as AppRecord;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new WrongStateError(`run ${runId} no longer holds the ${kind} lock for ${app}`);
      }
      throw error;
    }
  }

  /**
   * Releases the lock on a failure path if this run still holds it. Another run may hold it by
   * now (a newer attempt); its record is left alone and false is returned.
   */
  async releaseIfHeld(
    kind: WorkflowKind,
    app: string,
    runId: string,
    fields: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    try {
      await this.release(kind, app, runId, 'failed', fields, now);
      return true;
    } catch (error) {
      if (error instanceof WrongStateError) return false;
      throw error;
    }
  }

  /** One drill at a time per app; a drill older than a day is taken to have died. */
  async acquireDrill(app: string, runId: string, now: Date): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `APP#${app}`, sk: 'DRILL', runId, startedAt: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :run OR startedAt < :stale',
          ExpressionAttributeValues: {
            ':run': runId,
            ':stale': new Date(now.getTime() - 86_400_000).toISOString(),
          },
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        const held = await this.get(`APP#${app}`, 'DRILL');
        throw new WrongStateError(`a drill of ${app} is already running (run ${String(held?.runId)})`);
      }
      throw error;
    }
  }

  async releaseDrill(app: string, runId: string): Promise<void> {
    await this.db
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `APP#${app}`, sk: 'DRILL' },
          ConditionExpression: 'runId = :run',
          ExpressionAttributeValues: { ':run': runId },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  /**
   * Takes the protection lease of one tier: one protection run per tier at a time. Taking it again
   * with the same runId succeeds (a retried task); a lease past its expiry is taken over, so a run
   * that died without releasing blocks its tier only until then. Returns the holder's runId when
   * another run holds it.
   */
  async acquireProtectLease(
    app: string,
    tier: string,
    runId: string,
    now: Date,
    expiresAt: Date,
  ): Promise<{ taken: true } | { taken: false; heldBy: string; expiresAt?: string }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...protectLeaseKey(app, tier),
            app,
            tier,
            runId,
            takenAt: now.toISOString(),
            expiresAt: expiresAt.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :run OR expiresAt < :now',
          ExpressionAttributeValues: { ':run': runId, ':now': now.toISOString() },
        }),
      );
      return { taken: true };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const { pk, sk } = protectLeaseKey(app, tier);
      const held = await this.get(pk, sk);
      // Released between our write and our read: the next run will find it free.
      return {
        taken: false,
        heldBy: String(held?.runId ?? 'unknown'),
        ...(held?.expiresAt ? { expiresAt: String(held.expiresAt) } : {}),
      };
    }
  }

  /** Releases a tier's protection lease if this run still holds it; anything else is left alone. */
  async releaseProtectLease(app: string, tier: string, runId: string): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: protectLeaseKey(app, tier),
          ConditionExpression: 'runId = :run',
          ExpressionAttributeValues: { ':run': runId },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async putRun(app: string, runId: string, record: Record<string, unknown>): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...runKey(app, runId), app, runId, ...record } }),
    );
  }

  async updateRun(app: string, runId: string, fields: Record<string, unknown>): Promise<void> {
    const names = Object.keys(fields);
    if (names.length === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(app, runId),
        UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#f${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:f${i}`, fields[name]])),
      }),
    );
  }

  async getRun(app: string, runId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: runKey(app, runId), ConsistentRead: true }),
    );
    return Item;
  }

  /** Newest runs first. */
  async listRuns(app: string, limit = 20): Promise<Record<string, unknown>[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
        ExpressionAttributeValues: { ':pk': `APP#${app}`, ':run': 'RUN#' },
      }),
    );
    return (Items ?? [])
      .sort((a, b) => String(b.startedAt ?? '').localeCompare(String(a.startedAt ?? '')))
      .slice(0, limit);
  }

  async put(item: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return Item;
  }
}
