/**
 * cfn-lint (installed in the project venv next to moto) over a template object.
 * Runs `python -c "from cfnlint.runner import main; …" --format json FILE`; cfn-lint 1.x exits non-zero when
 * it finds anything (2 errors, 4 warnings, 8 informational, bit-or'ed), so the JSON on stdout is what counts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, venvPython } from './repo-root';

export interface Finding {
  /** Rule id, e.g. `E3002`. */
  rule: string;
  level: 'Error' | 'Warning' | 'Informational';
  message: string;
  /** JSON path inside the template, e.g. `['Resources', 'Table', 'Properties', 'Bogus']`. */
  path: (string | number)[];
  line?: number;
  column?: number;
  ruleDescription?: string;
}

export interface CfnLintResult {
  errors: Finding[];
  warnings: Finding[];
  informational: Finding[];
}

export interface CfnLintOptions {
  /** Regions to validate against (cfn-lint `--regions`); default cfn-lint's own (us-east-1). */
  regions?: string[];
  /** Rule ids to skip (`--ignore-checks`). */
  ignoreChecks?: string[];
  /** Directory holding `.venv/` (default: the repository root). */
  cwd?: string;
}

interface RawFinding {
  Level: string;
  Message: string;
  Rule?: { Id?: string; Description?: string; ShortDescription?: string };
  Location?: { Path?: (string | number)[]; Start?: { LineNumber?: number; ColumnNumber?: number } };
}

const LAUNCHER = 'import sys; from cfnlint.runner import main; sys.exit(main())';

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function cfnLint(templateJson: unknown, options: CfnLintOptions = {}): Promise<CfnLintResult> {
  const cwd = options.cwd ?? REPO_ROOT;
  const python = venvPython(cwd);
  const dir = await mkdtemp(join(tmpdir(), 'pendulum-cfn-lint-'));
  const file = join(dir, 'template.json');
  try {
    const text = typeof templateJson === 'string' ? templateJson : JSON.stringify(templateJson, null, 1);
    await writeFile(file, text, 'utf8');
    const args = ['-c', LAUNCHER, '--format', 'json'];
    if (options.regions?.length) args.push('--regions', ...options.regions);
    if (options.ignoreChecks?.length) args.push('--ignore-checks', ...options.ignoreChecks);
    args.push('--', file);
    const { code, stdout, stderr } = await run(python, args, cwd);
    let raw: RawFinding[];
    try {
      raw = JSON.parse(stdout) as RawFinding[];
    } catch {
      throw new Error(
        `cfn-lint did not produce JSON (exit code ${code}):\n${(stderr || stdout).slice(-2000)}`,
      );
    }
    const findings = raw.map(
      (f): Finding => ({
        rule: f.Rule?.Id ?? '?',
        level: f.Level as Finding['level'],
        message: f.Message,
        path: f.Location?.Path ?? [],
        line: f.Location?.Start?.LineNumber,
        column: f.Location?.Start?.ColumnNumber,
        ruleDescription: f.Rule?.ShortDescription ?? f.Rule?.Description,
      }),
    );
    return {
      errors: findings.filter((f) => f.level === 'Error'),
      warnings: findings.filter((f) => f.level === 'Warning'),
      informational: findings.filter((f) => f.level !== 'Error' && f.level !== 'Warning'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One line per finding, for assertion messages and CLI output. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.rule} ${f.level} at ${f.path.join('/')}: ${f.message}`).join('\n');
}
