/**
 * Progress for people: one line per state as it finishes (`✓ SnapshotDns 0.4s`,
 * `✗ CheckRecoveryPoints RecoveryPointTooOldError: ...`), and, where a state may take a while,
 * one when it starts. Never used with --json.
 */
import type { Output } from './output';
import { paint } from './output';
import type { StepEvent } from './step-events';

/** States worth a line when they start: they can take minutes. */
const SLOW_TYPES = new Set(['Task', 'Map', 'Parallel', 'Wait']);

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  if (minutes < 60) return `${minutes}m${String(rest).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** At most this many characters of an error message per progress line. */
const MESSAGE_MAX = 300;

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MESSAGE_MAX ? `${oneLine.slice(0, MESSAGE_MAX - 1)}…` : oneLine;
}

export interface ProgressOptions {
  /** Print a line when a slow state starts (useful when following AWS, noise in-process). */
  readonly showEntered?: boolean;
}

export function progressPrinter(out: Output, options: ProgressOptions = {}): (step: StepEvent) => void {
  return (step) => {
    const indent = '  '.repeat(step.depth + 1);
    const name = step.item ? `${step.state} (${step.item})` : step.state;
    switch (step.type) {
      case 'entered':
        if (options.showEntered && SLOW_TYPES.has(step.stateType ?? ''))
          out.line(`${indent}${paint(out, 'dim', `▸ ${name} …`)}`);
        return;
      case 'exited':
        out.line(
          `${indent}${paint(out, 'green', '✓')} ${name} ${paint(out, 'dim', formatSeconds(step.durationMs ?? 0))}`,
        );
        return;
      case 'retried':
        out.line(
          `${indent}${paint(out, 'yellow', '↻')} ${name} ${paint(out, 'dim', `${step.error ?? 'error'}${step.attempt ? `, attempt ${step.attempt}` : ''}`)}`,
        );
        return;
      case 'failed': {
        // A Fail state repeats the error of the step that failed; its name says enough.
        const detail =
          step.stateType === 'Fail' || !step.message || step.message === step.error
            ? (step.error ?? '')
            : `${step.error}: ${shorten(step.message)}`;
        const caught = step.caught ? paint(out, 'dim', ' (caught)') : '';
        out.line(`${indent}${paint(out, 'red', '✗')} ${name} ${paint(out, 'red', detail)}${caught}`);
        return;
      }
    }
  };
}
