/**
 * Retiring Aurora clusters is not built yet: a cluster among the targets stops the call before
 * anything is imaged, snapshotted or deleted, rather than being skipped and left running unseen.
 */
import { describe, expect, it } from 'vitest';
import { retireResources } from '../../lambdas/failback/retire-resources';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { WrongStateError } from '../../lambdas/runtime/task-errors';

describe('retiring an Aurora cluster', () => {
  it('refuses the whole call, naming the cluster, before any AWS call', async () => {
    let resolved = 0;
    const retiring = retireResources({
      // No AWS answers here: the refusal comes before the first call.
      clients: createAwsClients(),
      run: { app: 'shop', failbackId: 'fb-1', runId: 'run-1' },
      region: 'us-west-2',
      suffix: '1a2b3c4d',
      targets: [
        { kind: 'rds', id: 'shop-db-pf-1a2b3c4d', role: 'shop-db', tier: 'data' },
        { kind: 'aurora', id: 'shop-aurora-pf-1a2b3c4d', role: 'orders', tier: 'data' },
      ],
      resolveDatabases: async () => {
        resolved += 1;
        return new Map();
      },
    });
    await expect(retiring).rejects.toThrow(WrongStateError);
    await expect(retiring).rejects.toThrow(/shop-aurora-pf-1a2b3c4d in us-west-2 yet: nothing was retired/);
    expect(resolved).toBe(0);
  });
});
