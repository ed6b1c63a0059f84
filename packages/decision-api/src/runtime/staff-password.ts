import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt cost: N=2^15, r=8 (32 MiB, ~0.1-0.8 s on a shared 2-core machine). OWASP's minimum is N=2^17; the cost is
 * stored in each hash, so a bank with faster sign-in hosts raises it and old hashes still verify.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
// N=2^17 with r=8 needs 128 MiB; Node's default ceiling is 32 MiB, just short of N=2^15.
const MAX_MEMORY = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A password hash for the staff directory: `scrypt$N$r$p$<salt>$<key>` (base64url), with a fresh salt per user. */
export async function hashStaffPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * Checks a password against its stored hash in constant time. Without a stored hash (an unknown id) it spends the same
 * work on a decoy and answers false, so timing does not tell an unknown id from a wrong password.
 */
export async function verifyStaffPassword(password: string, storedHash: string | null): Promise<boolean> {
  const stored = storedHash ?? DECOY_PASSWORD_HASH;
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return storedHash !== null && actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Spent when the id is unknown, so an unknown id takes as long to refuse as a wrong password. */
const DECOY_PASSWORD_HASH = 'scrypt$32768$8$1$c2lnbi1pbi1kZWNveS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
