/**
 * Counts AWS API calls by service and operation with an SDK middleware on every client Pendulum
 * creates: the benchmark's and the tests' way to know, not guess, what a run costs.
 */
import { addClientPlugin, resetDefaultAwsClients } from '../lambdas/runtime/aws-clients';

export interface ApiCallCounter {
  /** `EC2.RunInstances` → count. */
  readonly counts: ReadonlyMap<string, number>;
  count(operation: string): number;
  total(): number;
  byService(): Record<string, number>;
  clear(): void;
  /** Stops counting for clients created afterwards. */
  stop(): void;
}

type Stack = { add(fn: unknown, options: { step: string; name: string; override?: boolean }): void };

export function startApiCallCounter(): ApiCallCounter {
  const counts = new Map<string, number>();
  const remove = addClientPlugin((client) => {
    (client.middlewareStack as unknown as Stack).add(
      (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        async (args: unknown) => {
          const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
          const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const key = `${service}.${operation}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          return next(args);
        },
      { step: 'initialize', name: 'pendulumApiCallCounter', override: true },
    );
  });
  // Clients made before counting started would be missed: start afresh.
  resetDefaultAwsClients();
  return {
    counts,
    count: (operation) => counts.get(operation) ?? 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byService: () => {
      const services: Record<string, number> = {};
      for (const [key, n] of counts) {
        const service = key.split('.')[0] ?? key;
        services[service] = (services[service] ?? 0) + n;
      }
      return services;
    },
    clear: () => counts.clear(),
    stop: () => {
      remove();
      resetDefaultAwsClients();
    },
  };
}
