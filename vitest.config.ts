import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every task run of the suite writes its IAM decisions here (the workers inherit it); the
// least-privilege project reads it once every other test file has run.
if (!process.env.PENDULUM_LOCAL_IAM_LEDGER) {
  process.env.PENDULUM_LOCAL_IAM_LEDGER = join(tmpdir(), `pendulum-iam-ledger-${process.pid}.jsonl`);
  rmSync(process.env.PENDULUM_LOCAL_IAM_LEDGER, { force: true });
}

export default defineConfig({
  test: {
    setupFiles: ['test/support/quiet-powertools.ts', 'test/support/moto-gaps-setup.ts'],
    pool: 'forks',
    // Each moto-backed file starts its own emulator; two at a time suits a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: ['test/iam/suite-wide/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'suite-wide',
          include: ['test/iam/suite-wide/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
