import type { Context } from 'hono';
import { invalidBody, ProblemError } from './problem.js';
import { findUnstorableText } from './stored-text.js';

/** Bytes that are not UTF-8 are refused, never replaced by U+FFFD and stored as something the client never sent. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface ReadJsonOptions {
  /**
   * A batch's array of items (a JSON Pointer such as `/touchpoints`): text the store cannot hold inside an item is left
   * to the item's own check, so one bad item is refused alone and the valid ones are kept.
   */
  readonly itemsAt?: string;
}

/**
 * Reads a JSON body within a byte limit. text/plain is accepted too, because navigator.sendBeacon
 * can only send CORS-safelisted content types. A body that is not UTF-8 is a 400; a string or field name anywhere in
 * it that PostgreSQL cannot store (NUL, an unpaired surrogate) is a 422 naming the field.
 */
export async function readJson(c: Context, maxBytes: number, options: ReadJsonOptions = {}): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'text/plain') {
    throw new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'Send the body as application/json.',
    );
  }
  const bytes = await readBody(c, maxBytes);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new ProblemError(400, 'invalid-utf8', 'Body is not UTF-8', 'The request body must be UTF-8 encoded text.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProblemError(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const items = options.itemsAt === undefined ? null : `${options.itemsAt}/`;
  const unstorable = findUnstorableText(value).filter((found) => !(items && found.path.startsWith(items)));
  if (unstorable.length > 0) throw invalidBody(unstorable);
  return value;
}

const bodies = new WeakMap<Request, Promise<Uint8Array>>();

/**
 * The raw body within a byte limit, counted while it streams: whatever Content-Length says (or when there is none),
 * the read stops at the limit and the rest is never taken in. Read once; later reads get the same bytes.
 */
export async function readBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const request = c.req.raw;
  let read = bodies.get(request);
  if (!read) {
    read = readLimited(request, maxBytes);
    bodies.set(request, read);
  }
  const bytes = await read;
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(
    413,
    'body-too-large',
    'Request body too large',
    `The body may be at most ${maxBytes} bytes.`,
  );
}
