/**
 * Registers the app in the state table: the first record every workflow reads.
 * Idempotent: an app that already has a status keeps it; only the plan fingerprint is refreshed.
 */
import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import { parseTaskInput } from '../runtime/task-input';
import { INITIAL_STATUS } from '../state/app-status';
import { appKey } from '../state/state-table';

const inputSchema = z.strictObject({ requestedBy: z.string().max(256).optional() });

export interface RegisterAppResult {
  readonly app: string;
  readonly status: string;
  readonly activeRegion: string;
  readonly planFingerprint: string;
}

export function makeRegisterAppHandler(deps: { clients?: AwsClients; now?: () => Date } = {}) {
  return async (event: unknown): Promise<RegisterAppResult> => {
    const input = parseTaskInput(inputSchema, event, 'register-app');
    const { plan, tableName } = taskConfig();
    const clients = deps.clients ?? defaultAwsClients();
    const planFingerprint = createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
    const { Attributes } = await clients.dynamo().send(
      new UpdateCommand({
        TableName: tableName,
        Key: appKey(plan.app),
        UpdateExpression:
          'SET app = :app, #status = if_not_exists(#status, :initial), activeRegion = if_not_exists(activeRegion, :primary), planFingerprint = :fp, registeredAt = if_not_exists(registeredAt, :now), updatedAt = :now, registeredBy = :by',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':app': plan.app,
          ':initial': INITIAL_STATUS,
          ':primary': plan.primaryRegion,
          ':fp': planFingerprint,
          ':now': (deps.now ?? (() => new Date()))().toISOString(),
          ':by': input.requestedBy ?? 'pendulum',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    logger.info('app registered', { app: plan.app, status: Attributes?.status });
    return {
      app: plan.app,
      status: String(Attributes?.status),
      activeRegion: String(Attributes?.activeRegion),
      planFingerprint,
    };
  };
}

export const handler = makeRegisterAppHandler();
