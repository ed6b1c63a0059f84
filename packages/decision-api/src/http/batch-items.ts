import type { z } from 'zod';
import type { RejectedTouchpoint } from '../contract/index.js';
import { findPersonalData } from '../domain/privacy/personal-data.js';
import { personalDataErrors } from './personal-data.js';
import { fieldErrors, ProblemError } from './problem.js';
import { findUnstorableText } from './stored-text.js';

type FieldError = { path: string; message: string };

export interface CheckedItems<T> {
  readonly valid: T[];
  readonly rejected: RejectedTouchpoint[];
  /** Ids given again later in the same batch: acknowledged as duplicates, stored once. */
  readonly repeated: string[];
}

/**
 * Checks every item of a batch's `touchpoints` on its own, so one bad item loses nothing else; `refuse` adds a check
 * the schema cannot make (against the site key, or the catalog). An item holding text the store cannot hold (NUL, an
 * unpaired surrogate), then one carrying personal data in any field, is refused before anything else, naming the
 * fields and never the values. If no item is valid, the batch is refused with 422.
 */
export function checkItems<T extends { id: string }>(
  items: readonly unknown[],
  schema: z.ZodType<T>,
  refuse: (item: T, path: string) => FieldError | null = () => null,
): CheckedItems<T> {
  const valid: T[] = [];
  const rejected: RejectedTouchpoint[] = [];
  const repeated: string[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const path = `/touchpoints/${index}`;
    const unstorable = findUnstorableText(item, path);
    if (unstorable.length > 0) {
      const id = (item as { id?: unknown } | null)?.id;
      const idIsClean = typeof id === 'string' && !unstorable.some((found) => found.path === `${path}/id`);
      rejected.push({ index, ...(idIsClean ? { id } : {}), errors: unstorable });
      return;
    }
    const personal = findPersonalData(item, path);
    if (personal.length > 0) {
      const id = (item as { id?: unknown } | null)?.id;
      const idIsClean = typeof id === 'string' && !personal.some((finding) => finding.path === `${path}/id`);
      rejected.push({ index, ...(idIsClean ? { id } : {}), errors: personalDataErrors(personal) });
      return;
    }
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const id = (item as { id?: unknown } | null)?.id;
      rejected.push({ index, ...(typeof id === 'string' ? { id } : {}), errors: fieldErrors(parsed.error, path) });
      return;
    }
    const refusal = refuse(parsed.data, path);
    if (refusal) rejected.push({ index, id: parsed.data.id, errors: [refusal] });
    else if (seen.has(parsed.data.id)) repeated.push(parsed.data.id);
    else {
      seen.add(parsed.data.id);
      valid.push(parsed.data);
    }
  });
  if (valid.length === 0 && rejected.length > 0) {
    throw new ProblemError(
      422,
      'invalid-touchpoints',
      'No touchpoint in the batch is valid',
      'See errors for each item.',
      rejected.flatMap((item) => item.errors),
    );
  }
  return { valid, rejected, repeated };
}
