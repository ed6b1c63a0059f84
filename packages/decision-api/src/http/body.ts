import type { Context } from 'hono';
import { ProblemError } from './problem.js';

const UTF8 = new TextDecoder();

/**
 * Reads a JSON body within a byte limit. text/plain is accepted too, because navigator.sendBeacon
 * can only send CORS-safelisted content types.
 */
export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
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
  try {
    return JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new ProblemError(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
  }
}

/** The raw body within a byte limit; read once, later reads get the same bytes. */
export async function readBody(c: Context, maxBytes: number): Promise<ArrayBuffer> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  return bytes;
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(
    413,
    'body-too-large',
    'Request body too large',
    `The body may be at most ${maxBytes} bytes.`,
  );
}
