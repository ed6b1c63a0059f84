import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApiConfig, DEMO_CONFIG, DEMO_CUSTOMER_TOKEN_SECRET } from '../../src/config.js';
import { customerTokenVerifier } from '../../src/http/customer-token.js';
import { ProblemError } from '../../src/http/problem.js';

const NOW = new Date('2026-03-02T09:00:00Z');
const SECONDS = Math.floor(NOW.getTime() / 1000);
const secret = new TextEncoder().encode(DEMO_CUSTOMER_TOKEN_SECRET);

/** A token as the bank's backend signs it with the shared secret. */
function signed(
  customerId: string,
  { exp = SECONDS + 3600, nbf, iss = 'demo-bank' }: { exp?: number; nbf?: number; iss?: string } = {},
) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(customerId)
    .setIssuer(iss)
    .setAudience('touchpoint')
    .setExpirationTime(exp);
  if (nbf !== undefined) jwt.setNotBefore(nbf);
  return jwt.sign(secret);
}

/** The verifier on a clock the test moves, around jose's own jwtVerify, counting the signatures it checks. */
function verifier({
  clockToleranceSeconds = 30,
  maxCachedTokens,
}: {
  clockToleranceSeconds?: number;
  maxCachedTokens?: number;
} = {}) {
  let clock = NOW;
  const counted = { verifications: 0 };
  const options = { ...ApiConfig.parse(DEMO_CONFIG).customerToken, clockToleranceSeconds };
  const verify = customerTokenVerifier(options, () => clock, {
    verifyJwt: ((...args: Parameters<typeof jwtVerify>) => {
      counted.verifications++;
      return jwtVerify(...args);
    }) as typeof jwtVerify,
    maxCachedTokens,
  });
  return {
    counted,
    setNow: (at: Date) => {
      clock = at;
    },
    /** The customer id, or the 401 problem's detail. */
    async check(token: string): Promise<string> {
      try {
        return (await verify(`Bearer ${token}`)) ?? 'anonymous';
      } catch (error) {
        if (error instanceof ProblemError && error.status === 401) return `refused: ${error.detail}`;
        throw error;
      }
    },
    /** What a verifier that has seen nothing says of the token at the same clock. */
    async fresh(token: string): Promise<string> {
      const first = customerTokenVerifier(options, () => clock);
      return first(`Bearer ${token}`).then(
        (id) => id ?? 'anonymous',
        (error: ProblemError) => `refused: ${error.detail}`,
      );
    },
  };
}

describe('a customer token is verified once per token text', () => {
  it('accepts a customer’s token again on their next requests without checking its signature again', async () => {
    const v = verifier();
    const token = await signed('c-00042');
    expect(await v.check(token)).toBe('c-00042');
    expect(await v.check(token)).toBe('c-00042');
    expect(await v.check(token)).toBe('c-00042');
    expect(v.counted.verifications).toBe(1);
    // Another customer's token is another entry, verified on its own.
    expect(await v.check(await signed('c-00043'))).toBe('c-00043');
    expect(v.counted.verifications).toBe(2);
  });

  it('stops accepting a remembered token exactly at its expiry on the API’s clock, with no tolerance configured', async () => {
    const v = verifier({ clockToleranceSeconds: 0 });
    const token = await signed('c-00042', { exp: SECONDS + 600 });
    expect(await v.check(token)).toBe('c-00042');
    v.setNow(new Date((SECONDS + 599) * 1000));
    expect(await v.check(token)).toBe('c-00042');
    expect(v.counted.verifications).toBe(1);
    v.setNow(new Date((SECONDS + 600) * 1000));
    expect(await v.check(token)).toBe('refused: The customer token has expired.');
    // Forgotten once expired: the clock set back does not bring it back from memory, only from a full check.
    v.setNow(NOW);
    expect(await v.check(token)).toBe('c-00042');
    expect(v.counted.verifications).toBe(3);
  });

  it('with a clock tolerance, answers from memory exactly as a full verification would at each instant', async () => {
    const v = verifier({ clockToleranceSeconds: 30 });
    const token = await signed('c-00042', { exp: SECONDS + 600 });
    expect(await v.check(token)).toBe('c-00042');
    for (const offset of [599, 600, 629]) {
      v.setNow(new Date((SECONDS + offset) * 1000));
      expect(await v.fresh(token)).toBe('c-00042');
      expect(await v.check(token)).toBe('c-00042');
    }
    expect(v.counted.verifications).toBe(1);
    v.setNow(new Date((SECONDS + 630) * 1000));
    expect(await v.fresh(token)).toBe('refused: The customer token has expired.');
    expect(await v.check(token)).toBe('refused: The customer token has expired.');
  });

  it('refuses a tampered token that shares all but a few characters with a remembered one', async () => {
    const v = verifier();
    const token = await signed('c-00042');
    expect(await v.check(token)).toBe('c-00042');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // A character inside the signature (the last one carries padding bits that decode to the same bytes).
    const at = 10;
    const flipped = signature[at] === 'A' ? 'B' : 'A';
    const forged = `${header}.${payload}.${signature.slice(0, at)}${flipped}${signature.slice(at + 1)}`;
    expect(await v.check(forged)).toMatch(/^refused: The customer token signature is invalid/);
    // Another customer's claims under the remembered token's signature.
    const otherPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'c-00043' }),
    ).toString('base64url');
    expect(await v.check(`${header}.${otherPayload}.${signature}`)).toMatch(/^refused: The customer token signature/);
    // A truncated signature is the remembered token's text minus its end.
    expect(await v.check(token.slice(0, -1))).toMatch(/^refused: /);
    expect(await v.check(token)).toBe('c-00042');
    expect(v.counted.verifications).toBe(4);
  });

  it('remembers a bounded number of tokens, forgetting the least recently used first', async () => {
    const v = verifier({ maxCachedTokens: 2 });
    const [a, b, c] = await Promise.all([signed('c-00001'), signed('c-00002'), signed('c-00003')]);
    await v.check(a);
    await v.check(b);
    expect(v.counted.verifications).toBe(2);
    // a used again: b is now the oldest, and goes when c comes.
    expect(await v.check(a)).toBe('c-00001');
    expect(await v.check(c)).toBe('c-00003');
    expect(v.counted.verifications).toBe(3);
    expect(await v.check(a)).toBe('c-00001');
    expect(await v.check(c)).toBe('c-00003');
    expect(v.counted.verifications).toBe(3);
    expect(await v.check(b)).toBe('c-00002');
    expect(v.counted.verifications).toBe(4);
  });

  it('never remembers a refused token: each repeat is checked again and refused again', async () => {
    const v = verifier();
    const wrongIssuer = await signed('c-00042', { iss: 'another-bank' });
    const cprSubject = await signed('0101901234');
    const notYet = await signed('c-00042', { nbf: SECONDS + 600 });
    for (let i = 0; i < 2; i++) {
      expect(await v.check(wrongIssuer)).toMatch(/^refused: The customer token claim "iss" is invalid/);
      expect(await v.check(cprSubject)).toBe('refused: The token subject is not a pseudonymous customer id.');
      expect(await v.check(notYet)).toMatch(/^refused: The customer token claim "nbf" is invalid/);
    }
    expect(v.counted.verifications).toBe(6);
    // The not-yet-valid token counts from its nbf on, and is remembered from then.
    v.setNow(new Date((SECONDS + 600) * 1000));
    expect(await v.check(notYet)).toBe('c-00042');
    expect(await v.check(notYet)).toBe('c-00042');
    expect(v.counted.verifications).toBe(7);
    // Before its nbf again (a clock set back), memory does not answer for it.
    v.setNow(NOW);
    expect(await v.check(notYet)).toMatch(/^refused: /);
  });
});
