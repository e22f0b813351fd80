import { describe, expect, it } from 'vitest';
import '../../local/promise-with-resolvers';

describe('Promise.withResolvers polyfill', () => {
  it('provides a working Promise.withResolvers', async () => {
    const { promise, resolve } = (
      Promise as unknown as { withResolvers<T>(): { promise: Promise<T>; resolve(value: T): void } }
    ).withResolvers<number>();
    resolve(42);
    await expect(promise).resolves.toBe(42);
  });
});
