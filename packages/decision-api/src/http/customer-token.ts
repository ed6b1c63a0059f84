import { errors, jwtVerify } from 'jose';
import type { ApiConfig } from '../config.js';
import { CustomerId } from '../contract/index.js';
import { ProblemError } from './problem.js';

/**
 * Verifies the bank backend's customer token and returns its subject, the pseudonymous customer id.
 * The customer id is only ever taken from a verified token, never from a request body.
 */
export function customerTokenVerifier(options: ApiConfig['customerToken'], now: () => Date) {
  const secret = new TextEncoder().encode(options.secret);
  return async function verifyCustomerToken(authorization: string | undefined): Promise<string | null> {
    if (authorization === undefined) return null;
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
    if (!match?.[1]) throw invalidToken('The Authorization header must be "Bearer <customer token>".');
    try {
      const { payload } = await jwtVerify(match[1], secret, {
        algorithms: ['HS256'],
        ...(options.issuer ? { issuer: options.issuer } : {}),
        ...(options.audience ? { audience: options.audience } : {}),
        clockTolerance: options.clockToleranceSeconds,
        currentDate: now(),
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string' || !CustomerId.safeParse(payload.sub).success) {
        throw invalidToken('The token subject is not a pseudonymous customer id.');
      }
      return payload.sub;
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      if (error instanceof errors.JWTExpired) throw invalidToken('The customer token has expired.');
      if (error instanceof errors.JWSSignatureVerificationFailed)
        throw invalidToken('The customer token signature is invalid.');
      if (error instanceof errors.JWTClaimValidationFailed)
        throw invalidToken(`The customer token claim "${error.claim}" is invalid.`);
      throw invalidToken('The customer token could not be verified.');
    }
  };
}

function invalidToken(detail: string): ProblemError {
  return new ProblemError(401, 'invalid-customer-token', 'Invalid customer token', detail, undefined, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${detail.replaceAll('"', "'")}"`,
  });
}
