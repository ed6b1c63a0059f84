import { createRemoteJWKSet, errors, type JWSHeaderParameters, jwtVerify, SignJWT } from 'jose';
import type { ApiConfig } from '../config.js';
import { CustomerId } from '../contract/index.js';
import { detectPersonalDataInId } from '../domain/privacy/personal-data.js';
import { ProblemError } from './problem.js';

type CustomerTokenOptions = ApiConfig['customerToken'];

/** The algorithms accepted: those configured, or HS256 with a secret and ES256/RS256 with a key set. */
export function acceptedAlgorithms(options: CustomerTokenOptions): string[] {
  if (options.algorithms) return [...options.algorithms];
  return [...(options.secret ? ['HS256'] : []), ...(options.jwksUrl ? ['ES256', 'RS256'] : [])];
}

/** What the verifier is built from besides the configuration: jose's `jwtVerify` and the cache's size, by default. */
export interface CustomerTokenVerifierOptions {
  /** The signature and claim check; a caller may wrap jose's to observe it (tests count the calls). */
  verifyJwt?: typeof jwtVerify;
  /** Verified tokens kept; the least recently used is forgotten first. */
  maxCachedTokens?: number;
}

/**
 * Verifies the bank backend's customer token and returns its subject, the pseudonymous customer id.
 * The customer id is only ever taken from a verified token, never from a request body.
 *
 * HS256 tokens are checked against the shared secret only; ES256 and RS256 tokens only against the bank's key set
 * (fetched once, cached, fetched again when a token names a key id it does not know, so rotated keys are picked up).
 * The key follows from the algorithm, so a token signed with HS256 using a public key as the secret never verifies.
 */
export function customerTokenVerifier(
  options: CustomerTokenOptions,
  now: () => Date,
  { verifyJwt = jwtVerify, maxCachedTokens = MAX_CACHED_TOKENS }: CustomerTokenVerifierOptions = {},
) {
  const secret = options.secret ? new TextEncoder().encode(options.secret) : null;
  const keySet = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), {
        cooldownDuration: options.jwksCooldownSeconds * 1000,
        timeoutDuration: 2000,
      })
    : null;
  const algorithms = acceptedAlgorithms(options);
  const verified = verifiedTokenCache(maxCachedTokens, options.clockToleranceSeconds);
  const keyFor = async (header: JWSHeaderParameters, token: Parameters<NonNullable<typeof keySet>>[1]) => {
    if (header.alg === 'HS256') {
      if (!secret) throw invalidToken('The customer token algorithm is not accepted.');
      return secret;
    }
    if (!keySet) throw invalidToken('The customer token algorithm is not accepted.');
    return keySet(header, token);
  };

  return async function verifyCustomerToken(authorization: string | undefined): Promise<string | null> {
    if (authorization === undefined) return null;
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
    if (!match?.[1]) throw invalidToken('The Authorization header must be "Bearer <customer token>".');
    const token = match[1];
    const at = now();
    const cached = verified.get(token, at);
    if (cached !== null) return cached;
    try {
      const { payload, protectedHeader } = await verifyJwt(token, keyFor, {
        algorithms,
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds,
        currentDate: at,
        requiredClaims: ['sub', 'exp'],
      });
      // A subject that looks like a CPR number is personal data, never a pseudonymous id.
      if (
        typeof payload.sub !== 'string' ||
        !CustomerId.safeParse(payload.sub).success ||
        detectPersonalDataInId(payload.sub).length > 0
      ) {
        throw invalidToken('The token subject is not a pseudonymous customer id.');
      }
      // Only once every check has passed: a refused token is never remembered. Key-set (ES256/RS256) tokens are
      // verified every time, so a key the bank retires stops counting as soon as the key set is read again.
      if (protectedHeader.alg === 'HS256' && typeof payload.exp === 'number') {
        verified.set(token, { sub: payload.sub, exp: payload.exp, nbf: payload.nbf });
      }
      return payload.sub;
    } catch (error) {
      throw asProblem(error, options);
    }
  };
}

/**
 * Tokens verified with the shared secret, by their exact text. Such a token's validity can only change with time, so
 * a repeat (the same customer's next request) is answered from here while its exp and nbf hold, without the HMAC and
 * the claim parsing again. The text itself is the key, not a hash of it: the map compares whole strings, so a token
 * differing in any character (a tampered signature) is another key, and a SHA-256 digest (Web Crypto, asynchronous)
 * would cost about as much as the check it saves (`scripts/bench/customer-token.ts` measures both).
 */
function verifiedTokenCache(maxEntries: number, toleranceSeconds: number) {
  const entries = new Map<string, { sub: string; exp: number; nbf: number | undefined }>();
  return {
    get(token: string, now: Date): string | null {
      const hit = entries.get(token);
      if (!hit) return null;
      // jose's own claim arithmetic (whole seconds, the configured tolerance), so a remembered token is accepted
      // exactly while verifying it again would accept it: refused from its exp (plus the tolerance) on.
      const at = Math.floor(now.getTime() / 1000);
      if (hit.exp <= at - toleranceSeconds) {
        entries.delete(token);
        return null;
      }
      if (hit.nbf !== undefined && hit.nbf > at + toleranceSeconds) return null;
      // Most recently used last: the map's first key is the one to forget.
      entries.delete(token);
      entries.set(token, hit);
      return hit.sub;
    },
    set(token: string, claims: { sub: string; exp: number; nbf: number | undefined }): void {
      if (maxEntries <= 0) return;
      entries.delete(token);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(token, claims);
    },
  };
}

/** Verified shared-secret tokens kept: a token is a few hundred bytes, so at most a few megabytes. */
const MAX_CACHED_TOKENS = 10_000;

/** What the API expects of a claim, named with the variable that sets it: issuer and audience are no secrets. */
const EXPECTED_CLAIM: Partial<Record<string, (options: CustomerTokenOptions) => string>> = {
  iss: (options) => ` It must be ${JSON.stringify(options.issuer)} (TOUCHPOINT_CUSTOMER_TOKEN_ISSUER).`,
  aud: (options) => ` It must be ${JSON.stringify(options.audience)} (TOUCHPOINT_CUSTOMER_TOKEN_AUDIENCE).`,
  sub: () => ' It must be the pseudonymous customer id.',
  exp: () => ' It must be the expiry, in seconds since 1970.',
};

function asProblem(error: unknown, options: CustomerTokenOptions): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof errors.JWTExpired) return invalidToken('The customer token has expired.');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken(
      'The customer token signature is invalid: it was not signed with the key the API verifies with (TOUCHPOINT_CUSTOMER_TOKEN_SECRET or the key set).',
    );
  if (error instanceof errors.JWTClaimValidationFailed)
    return invalidToken(
      `The customer token claim "${error.claim}" is invalid.${EXPECTED_CLAIM[error.claim]?.(options) ?? ''}`,
    );
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidToken('The customer token algorithm is not accepted.');
  if (error instanceof errors.JWKSNoMatchingKey)
    return invalidToken('The customer token names a key the bank does not publish.');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || isFetchFailure(error)) {
    // The bank's key set could not be read: the token may well be valid, so the client should retry, not log out.
    return new ProblemError(
      503,
      'customer-token-keys-unavailable',
      'Customer token keys unavailable',
      'The bank’s token keys could not be fetched; retry shortly.',
      undefined,
      { 'retry-after': '5' },
    );
  }
  return invalidToken('The customer token could not be verified.');
}

/** fetch() failing (refused, reset) or the key set answering with an error status. */
function isFetchFailure(error: unknown): boolean {
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  return (
    error instanceof errors.JOSEError &&
    error.code === 'ERR_JOSE_GENERIC' &&
    /JSON Web Key Set HTTP response/.test(error.message)
  );
}

function invalidToken(detail: string): ProblemError {
  return new ProblemError(401, 'invalid-customer-token', 'Invalid customer token', detail, undefined, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${detail.replaceAll('"', "'")}"`,
  });
}

/**
 * A customer token as the bank's backend mints one, signed with the shared secret (HS256): for development and tests
 * (`touchpoint customer-token <id>`). A bank that signs with its own keys (ES256, RS256) mints them in its backend.
 */
export async function mintCustomerToken(
  options: CustomerTokenOptions,
  customerId: string,
  { now = new Date(), ttlSeconds = 3600 }: { now?: Date; ttlSeconds?: number } = {},
): Promise<string> {
  if (!options.secret) {
    throw new Error('[touchpoint] a customer token is signed with TOUCHPOINT_CUSTOMER_TOKEN_SECRET, and none is set');
  }
  if (!CustomerId.safeParse(customerId).success) {
    throw new Error(`[touchpoint] ${JSON.stringify(customerId)} is not a pseudonymous customer id`);
  }
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(customerId)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(new TextEncoder().encode(options.secret));
}
