import { pointer } from './problem.js';

/** A string PostgreSQL cannot hold: `text` refuses NUL, `jsonb` refuses NUL and unpaired UTF-16 surrogates. */
export function unstorableReason(text: string): string | null {
  if (!UNSTORABLE.test(text)) return null;
  return text.includes('\u0000')
    ? 'holds a NUL character (U+0000), which cannot be stored'
    : 'holds an unpaired surrogate (such as \\ud800), which is not Unicode text';
}

// With the u flag a paired surrogate is one code point, so the range matches only unpaired ones. NUL is the point here.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what PostgreSQL cannot store
const UNSTORABLE = /[\u0000\ud800-\udfff]/u;

/**
 * Every string and field name in a parsed JSON value that the store cannot hold, by JSON Pointer under `prefix`. A
 * field name is reported at its object, so the pointer never repeats what cannot be stored.
 */
export function findUnstorableText(value: unknown, prefix = ''): Array<{ path: string; message: string }> {
  const found: Array<{ path: string; message: string }> = [];
  // Iterative, so a deeply nested body cannot exhaust the stack.
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: prefix }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: string };
    if (typeof current === 'string') {
      const reason = unstorableReason(current);
      if (reason) found.push({ path, message: reason });
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => {
        stack.push({ value: item, path: `${path}/${index}` });
      });
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const reason = unstorableReason(key);
        if (reason) found.push({ path, message: `a field name here ${reason}` });
        else stack.push({ value: item, path: pointer([key], path) });
      }
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
