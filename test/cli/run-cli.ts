import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedOutput } from '../../cli/output';
import { main } from '../../cli/pendulum';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `pendulum ...args` in-process with every Output captured. */
export async function runCli(...args: string[]): Promise<CliResult> {
  const outputs: ReturnType<typeof capturedOutput>[] = [];
  const code = await main(['node', 'pendulum', ...args], (json) => {
    const out = capturedOutput(json);
    outputs.push(out);
    return out;
  });
  return {
    code,
    stdout: outputs.flatMap((o) => o.stdout).join('\n'),
    stderr: outputs.flatMap((o) => o.stderr).join('\n'),
  };
}

export const SAMPLE_PLAN = new URL('../../examples/pendulum.yaml', import.meta.url).pathname;
const SAMPLE_HEALTH_URL = 'http://127.0.0.1:48080/health?region={region}';

/** The sample plan in a temp file, its health check pointed at `healthUrl` (`?region={region}`). */
export function samplePlanFile(healthUrl?: string): string {
  const text = readFileSync(SAMPLE_PLAN, 'utf8');
  if (healthUrl && !text.includes(SAMPLE_HEALTH_URL))
    throw new Error(`examples/pendulum.yaml no longer has the health URL ${SAMPLE_HEALTH_URL}`);
  const file = join(mkdtempSync(join(tmpdir(), 'pendulum-cli-')), 'pendulum.yaml');
  writeFileSync(file, healthUrl ? text.replace(SAMPLE_HEALTH_URL, healthUrl) : text);
  return file;
}

/** Runs `fn` with AWS_ENDPOINT_URL unset, restoring it afterwards. */
export async function withoutEndpoint<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.AWS_ENDPOINT_URL;
  delete process.env.AWS_ENDPOINT_URL;
  try {
    return await fn();
  } finally {
    if (saved !== undefined) process.env.AWS_ENDPOINT_URL = saved;
  }
}
