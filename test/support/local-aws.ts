import { afterAll, beforeAll } from 'vitest';
import { resetDefaultAwsClients } from '../../lambdas/runtime/aws-clients';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';

/**
 * One moto server for the test file, on a free loopback port; AWS_ENDPOINT_URL points at it.
 * `reset()` empties every region between tests that need a clean estate.
 */
export function localAwsForTests(region = 'us-west-2') {
  let server: MotoServer | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    server = await startMotoServer();
    restore = useLocalAws(server.endpoint, region);
    resetDefaultAwsClients();
  });
  afterAll(async () => {
    restore?.();
    resetDefaultAwsClients();
    await server?.stop();
  });
  return {
    endpoint: () => server?.endpoint ?? '',
    reset: async () => {
      await server?.reset();
      resetDefaultAwsClients();
    },
  };
}
