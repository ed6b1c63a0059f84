import type { MiddlewareHandler } from 'hono';
import type { Partner } from '../config.js';
import type { SharedLimits } from '../store/shared-limits.js';
import { readBody } from './body.js';
import { ProblemError } from './problem.js';
import { withinDeadline } from './store-deadline.js';

export const PARTNER_HEADER = 'x-touchpoint-partner';
export const TIMESTAMP_HEADER = 'x-touchpoint-timestamp';
export const SIGNATURE_HEADER = 'x-touchpoint-signature';
/** How far a request's timestamp may be from the API's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SIGNATURE = /^v1=([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

export interface PartnerSignatureOptions {
  readonly partners: readonly Partner[];
  readonly now: () => Date;
  readonly maxBodyBytes: number;
  /** Where the signatures seen are remembered: PostgreSQL (every instance) or this process's memory. */
  readonly limits: Pick<SharedLimits, 'rememberSignature' | 'forgetSignature'>;
  /** How long remembering a signature may wait for the store; past it, 503 with Retry-After. */
  readonly storeDeadlineMs: number;
}

/**
 * Partners call from their servers and sign every request: `X-Touchpoint-Signature: v1=<hex>` is the HMAC-SHA256,
 * under the partner's secret, of `<X-Touchpoint-Timestamp>.<raw body>`. Site keys, customer tokens and browsers
 * never authenticate here. Web Crypto only, so it runs on every runtime; `verify` compares in constant time.
 */
export function partnerSignatures({
  partners,
  now,
  maxBodyBytes,
  limits,
  storeDeadlineMs,
}: PartnerSignatureOptions): MiddlewareHandler<{ Variables: { partnerId: string } }> {
  const byId = new Map(partners.map((partner) => [partner.id, partner]));
  const keys = new Map<string, Promise<CryptoKey>>();
  const encoder = new TextEncoder();
  const keyOf = (partner: Partner): Promise<CryptoKey> => {
    let key = keys.get(partner.id);
    if (!key) {
      key = crypto.subtle.importKey('raw', encoder.encode(partner.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ]);
      keys.set(partner.id, key);
    }
    return key;
  };

  return async function partnerSignatureMiddleware(c, next) {
    if (c.req.header('origin') !== undefined) {
      throw new ProblemError(
        403,
        'partner-origin-refused',
        'Browsers may not call partner routes',
        'Partners call this route from their servers; a request with an Origin header is refused.',
      );
    }
    const partner = byId.get(c.req.header(PARTNER_HEADER) ?? '');
    if (!partner) {
      throw unauthorized('partner-unknown', 'Unknown partner', `Send a configured partner id in ${PARTNER_HEADER}.`);
    }
    const signature = SIGNATURE.exec(c.req.header(SIGNATURE_HEADER) ?? '')?.[1]?.toLowerCase();
    if (!signature) {
      throw unauthorized(
        'signature-missing',
        'Signature missing or malformed',
        `Send ${SIGNATURE_HEADER}: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">.`,
      );
    }
    const timestamp = c.req.header(TIMESTAMP_HEADER) ?? '';
    if (!TIMESTAMP.test(timestamp)) {
      throw unauthorized(
        'timestamp-missing',
        'Timestamp missing or malformed',
        `Send ${TIMESTAMP_HEADER} in Unix seconds.`,
      );
    }
    const nowMs = now().getTime();
    if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
      throw unauthorized(
        'timestamp-out-of-tolerance',
        'Timestamp out of tolerance',
        `The timestamp must be within ${SIGNATURE_TOLERANCE_SECONDS} seconds of the API's clock.`,
      );
    }

    const body = new Uint8Array(await readBody(c, maxBodyBytes));
    const prefix = encoder.encode(`${timestamp}.`);
    const signed = new Uint8Array(prefix.length + body.length);
    signed.set(prefix);
    signed.set(body, prefix.length);
    if (!(await crypto.subtle.verify('HMAC', await keyOf(partner), hexBytes(signature), signed))) {
      throw unauthorized('signature-invalid', 'Invalid signature', 'The signature does not match the request.');
    }

    const check = await withinDeadline(
      limits.rememberSignature(partner.id, signature, (Number(timestamp) + SIGNATURE_TOLERANCE_SECONDS) * 1000, nowMs),
      storeDeadlineMs,
    );
    if (check.outcome === 'replayed') {
      throw unauthorized(
        'signature-replayed',
        'Replayed request',
        'This signature was used already: sign each request afresh, with a new timestamp.',
      );
    }
    if (check.outcome === 'full') {
      throw new ProblemError(
        429,
        'partner-rate-exceeded',
        'Too many requests',
        'Too many signed requests within the tolerance window; retry after Retry-After seconds.',
        undefined,
        { 'retry-after': String(Math.ceil(check.retryAfterMs / 1000)) },
      );
    }
    c.set('partnerId', partner.id);
    await next();
    // Forgotten before the answer leaves, so the partner's retry of the same request is not taken for a replay.
    if (c.res.status >= 500) await limits.forgetSignature(partner.id, signature).catch(() => {});
  };
}

/**
 * Signs a body the way partners sign theirs, for the webhooks Touchpoint sends (the CRM):
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the value of X-Touchpoint-Signature.
 */
export async function signBody(secret: string, timestamp: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`)));
  return `v1=${Array.from(mac, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function unauthorized(slug: string, title: string, detail: string): ProblemError {
  return new ProblemError(401, slug, title, detail, undefined, {
    'www-authenticate': 'Touchpoint-Signature realm="partners"',
  });
}
