/** The CLI's exit codes: scripts and CI rely on them. */
export const EXIT = {
  ok: 0,
  /** The run itself failed (a workflow ended FAILED, a check did not pass). */
  failed: 1,
  /** Bad usage or bad input: nothing was done. */
  usage: 2,
} as const;

/** Raised by commands for bad usage or input; the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
