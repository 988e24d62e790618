import type { z } from 'zod';

/** One line per problem, each led by the field's path: what a user needs to fix input. */
export function formatIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    readonly subject: string,
    readonly zodError: z.ZodError,
    root = '',
  ) {
    super(`${subject}: ${formatIssues(zodError, root)}`);
  }
}

/** Parses `value` or throws a ValidationError whose message names every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  subject: string,
  root = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(subject, result.error, root);
  return result.data;
}
