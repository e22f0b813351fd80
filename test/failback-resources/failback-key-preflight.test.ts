/**
 * A key the plan names that was disabled while the app ran failed over refuses the failback at
 * its start, with the plan path and what to do, before the lock, the hooks or any copy: found
 * later, the final copy home would fail after the write freeze.
 */
import { DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { beforeEach, describe, expect, it } from 'vitest';
import { StateTable } from '../../lambdas/state/state-table';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { type FailedOverEstate, failedOverEstate, PRIMARY, RECOVERY } from './failed-over-estate';

const aws = localAwsForTests(RECOVERY);
const health = healthEndpointForTests();

describe('failback with a plan key disabled during the failover', { timeout: 200_000 }, () => {
  let f: FailedOverEstate;
  let keys: EstateKeys;

  beforeEach(async () => {
    // Prepare: an encrypted estate failed over; then the recovery region's key is disabled.
    await aws.reset();
    keys = await createEstateKeys(PRIMARY, RECOVERY);
    f = await failedOverEstate({ healthUrl: health.url(), strategy: 'snapshot', keys });
    // By key id: moto 5.2.1 answers DisableKey by ARN with an error page.
    const keyId = keys.arns[RECOVERY]?.split('/').pop();
    await new KMSClient({ region: RECOVERY }).send(new DisableKeyCommand({ KeyId: keyId }));
  }, 200_000);

  it('is refused before anything changes, naming the key and where the plan names it', async () => {
    // Act
    const result = await f.stack.run('failback', {});

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error, result.cause).toBe('PreflightFailedError');
    expect(result.cause).toMatch(
      /encryption\.kmsKeys\.us-west-2: .*expected an enabled customer managed key in us-west-2/,
    );
    const state = new StateTable(f.clients().dynamo(), f.stack.tableName);
    expect((await state.getApp('shop', PRIMARY)).status).toBe('FAILED_OVER');
  });
});
