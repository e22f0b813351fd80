/**
 * Parses a task's input against its schema, turning every problem into one InvalidInputError
 * that names each bad field, before the task writes anything.
 */
import type { z } from 'zod';
import { InvalidInputError } from './task-errors';

export function parseTaskInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(input)';
    return `${path}: ${issue.message}`;
  });
  throw new InvalidInputError(`invalid ${what} input: ${problems.join('; ')}`, { problems });
}
