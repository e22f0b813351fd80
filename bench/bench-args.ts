/** The benchmark's command line: `npm run bench [-- --sizes 10,100,1000] [--no-warmup] [--aws instant|realistic]`. */
import type { LocalAwsMode } from '../local/realistic-aws/realistic-aws';

export const DEFAULT_SIZES = [10, 100, 1000];
export const USAGE = 'usage: npm run bench [-- --sizes 10,100,1000] [--no-warmup] [--aws instant|realistic]';
const AWS_MODES: readonly LocalAwsMode[] = ['instant', 'realistic'];

export interface BenchArgs {
  readonly sizes: number[];
  readonly warmup: boolean;
  /** `realistic`: the workflows run on the realistic local AWS, reported in modeled time too. */
  readonly aws: LocalAwsMode;
  readonly help?: true;
}

/** A bad command line: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--name value` or `--name=value`: the value, and how many arguments it took. */
function optionValue(
  argv: readonly string[],
  i: number,
  name: string,
): { value: string | undefined; used: number } {
  const arg = argv[i] as string;
  if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), used: 0 };
  return { value: argv[i + 1], used: 1 };
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let sizes = DEFAULT_SIZES;
  let warmup = true;
  let aws: LocalAwsMode = 'instant';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--sizes' || arg.startsWith('--sizes=')) {
      const { value, used } = optionValue(argv, i, '--sizes');
      i += used;
      sizes = (value ?? '').split(',').map((s) => Number(s.trim()));
      if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 2))
        throw new UsageError(
          `--sizes expects whole numbers ≥ 2 separated by commas, got ${JSON.stringify(value)}`,
        );
    } else if (arg === '--aws' || arg.startsWith('--aws=')) {
      const { value, used } = optionValue(argv, i, '--aws');
      i += used;
      if (!AWS_MODES.includes(value as LocalAwsMode))
        throw new UsageError(`--aws expects ${AWS_MODES.join(' or ')}, got ${JSON.stringify(value)}`);
      aws = value as LocalAwsMode;
    } else if (arg === '--no-warmup') warmup = false;
    else if (arg === '--help' || arg === '-h') return { sizes, warmup, aws, help: true };
    else throw new UsageError(`unknown argument ${arg}`);
  }
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), warmup, aws };
}
