import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZES, parseBenchArgs, UsageError } from '../../bench/bench-args';
import { REPO_ROOT } from '../../local/repo-root';

describe('the bench command line', () => {
  it('defaults to instant AWS at the default sizes, with the warm-up', () => {
    expect(parseBenchArgs([])).toEqual({ sizes: DEFAULT_SIZES, warmup: true, aws: 'instant' });
  });

  it('takes --aws realistic or instant, as two arguments or one', () => {
    expect(parseBenchArgs(['--aws', 'realistic']).aws).toBe('realistic');
    expect(parseBenchArgs(['--aws=realistic', '--sizes', '100,10']).sizes).toEqual([10, 100]);
    expect(parseBenchArgs(['--sizes=10', '--aws', 'instant', '--no-warmup'])).toEqual({
      sizes: [10],
      warmup: false,
      aws: 'instant',
    });
  });

  it('refuses another --aws value, a missing one, bad sizes and unknown arguments as usage errors', () => {
    expect(() => parseBenchArgs(['--aws', 'fast'])).toThrow(
      new UsageError('--aws expects instant or realistic, got "fast"'),
    );
    expect(() => parseBenchArgs(['--aws'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--sizes', '1'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--fast'])).toThrow(new UsageError('unknown argument --fast'));
  });

  it('asks for help without running', () => {
    expect(parseBenchArgs(['--help']).help).toBe(true);
  });

  it('exits 2 with the usage on a bad command line, before starting anything', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run-bench.ts', '--aws', 'fast'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--aws expects instant or realistic, got "fast"');
    expect(run.stderr).toContain('usage: npm run bench');
    expect(run.stdout).toBe('');
  }, 60_000);
});
