/**
 * Where commands write: plain text for people, JSON for machines, colour only on a TTY and never
 * with NO_COLOR. Commands get an Output so tests can capture what they print.
 */
export interface Output {
  readonly json: boolean;
  line(text?: string): void;
  error(text: string): void;
  data(value: unknown): void;
  readonly colour: boolean;
}

export function consoleOutput(json: boolean): Output {
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR && !json;
  return {
    json,
    colour,
    line: (text = '') => process.stdout.write(`${text}\n`),
    error: (text) => process.stderr.write(`${text}\n`),
    data: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

export function paint(
  output: Output,
  colour: 'red' | 'green' | 'yellow' | 'bold' | 'dim',
  text: string,
): string {
  if (!output.colour) return text;
  const codes = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;
  return `\u001b[${codes[colour]}m${text}\u001b[0m`;
}

/** An Output that keeps everything, for tests. */
export function capturedOutput(
  json = false,
): Output & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    json,
    colour: false,
    stdout,
    stderr,
    line: (text = '') => stdout.push(text),
    error: (text) => stderr.push(text),
    data: (value) => stdout.push(JSON.stringify(value, null, 2)),
  };
}
