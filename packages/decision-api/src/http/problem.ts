import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { Problem } from '../contract/index.js';
import type { Refusal } from '../domain/workflow.js';
import { StoreTimeoutError } from '../store/sql.js';

type FieldError = { path: string; message: string };

const TYPE_BASE = 'https://touchpoint.dev/problems/';

/** An expected failure; the one error handler turns it into RFC 9457 problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  toProblem(): Problem {
    return {
      type: `${TYPE_BASE}${this.slug}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** JSON Pointer (RFC 6901) of a zod issue path, under an optional prefix. */
export function pointer(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  return prefix + path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: pointer([...issue.path, key], prefix), message: 'unknown field' }));
    }
    return [{ path: pointer(issue.path, prefix), message: issue.message }];
  });
}

/** The problem that answers a refused workflow step: a person's refusal is 403, a status's 409. */
export function refused(refusal: Refusal): ProblemError {
  switch (refusal.kind) {
    case 'four-eyes':
      return new ProblemError(403, 'four-eyes', 'Four eyes', refusal.message);
    case 'not-allowed':
      return new ProblemError(403, 'forbidden', 'Forbidden', refusal.message);
    case 'underpowered':
      return new ProblemError(409, 'underpowered', 'The audience cannot reach the sample', refusal.message);
    case 'wrong-status':
    case 'layer-full':
      return new ProblemError(409, 'conflict', 'Conflict', refusal.message);
  }
}

export const invalidBody = (errors: FieldError[]) =>
  new ProblemError(422, 'invalid-body', 'The request body is invalid', 'See errors for each field.', errors);

export function problemResponse(c: Context, error: unknown): Response {
  let problem: ProblemError;
  if (error instanceof ProblemError) problem = error;
  else if (error instanceof HTTPException) {
    problem = new ProblemError(
      error.status as ContentfulStatusCode,
      `http-${error.status}`,
      error.message || 'Request refused',
    );
  } else if (error instanceof StoreTimeoutError) {
    // Not a bug of the request: the store was busy (a lock held elsewhere); the same request may pass later.
    console.error(error.message);
    problem = new ProblemError(
      503,
      'store-timeout',
      'The store did not answer in time',
      `A statement took longer than the store's statement timeout (${error.timeoutMs} ms); retry later.`,
      undefined,
      { 'retry-after': '5' },
    );
  } else {
    console.error(`[touchpoint] unexpected error in ${c.req.method} ${c.req.routePath}: ${withoutContent(error)}`);
    problem = new ProblemError(500, 'internal', 'Internal error', 'The request could not be completed.');
  }
  return c.body(JSON.stringify(problem.toProblem()), problem.status, {
    'content-type': 'application/problem+json',
    ...problem.headers,
  });
}

/**
 * An unexpected error as the log may keep it: its kind, the store's error code and where it was thrown, never its
 * message or fields. A store error's message and detail quote the values it choked on, and those are a customer's
 * touchpoints (personal data); a parse error quotes the body.
 */
export function withoutContent(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${typeof error}`;
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
  return `${error.name}${typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (code ${code})` : ''}${frames ? `\n${frames}` : ''}`;
}
