import type { Output } from './output';

/** What a command needs from the process: somewhere to print and a way to set the exit code. */
export interface CliContext {
  output(json: boolean): Output;
  setExit(code: number): void;
}
