/**
 * Where the repository lives on disk, found from this file's own location (`local/repo-root.ts`).
 * Only the local harness needs this; product code under `lambdas/` never looks at the file system layout.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const MOTO_NOT_SET_UP =
  'moto is not set up: run `npm run setup` (creates .venv with moto[server]==5.2.1)';

/** The project venv's Python (carrying moto and cfn-lint); throws the set-up hint when it is missing. */
export function venvPython(cwd: string = REPO_ROOT): string {
  const python = join(cwd, '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(MOTO_NOT_SET_UP);
  return python;
}
