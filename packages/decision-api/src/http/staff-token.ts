import type { Context, MiddlewareHandler, Next } from 'hono';
import { getCookie } from 'hono/cookie';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { ApiConfig } from '../config.js';
import { STAFF_ROLES, type StaffRole } from '../contract/staff.js';
import type { AppEnv } from './env.js';
import { ProblemError } from './problem.js';

export { STAFF_ROLES, type StaffRole } from '../contract/staff.js';

export interface StaffMember {
  /** The staff member's id, as the bank's staff directory names them. */
  readonly id: string;
  readonly roles: readonly StaffRole[];
  /** The advisor's branch, when the member works at one. */
  readonly branch: string | null;
}

const StaffClaims = z.object({
  sub: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/),
  roles: z.array(z.enum(STAFF_ROLES)).min(1),
  branch: z.string().min(1).max(64).optional(),
});

/**
 * Verifies a staff token: a JWT signed with the staff secret, which is never the customer-token secret, and whose
 * audience is the staff audience. So a customer token can never act on a staff route.
 */
export function staffTokenVerifier(options: ApiConfig['staffToken'], now: () => Date) {
  const secret = new TextEncoder().encode(options.secret);
  return async function verifyStaffToken(token: string): Promise<StaffMember> {
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds,
        currentDate: now(),
        requiredClaims: ['sub', 'exp'],
      });
      const claims = StaffClaims.safeParse(payload);
      if (!claims.success) throw unauthorized('The staff token does not name a staff member with roles.');
      return { id: claims.data.sub, roles: claims.data.roles, branch: claims.data.branch ?? null };
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      if (error instanceof errors.JWTExpired) throw unauthorized('The staff token has expired.');
      throw unauthorized('The staff token could not be verified.');
    }
  };
}

/** Paths only staff reach: neither a site key nor a customer token counts there. */
export const STAFF_PATHS = ['/v1/admin/*', '/v1/advisor/*'];

/** The console's session cookie: the staff token, out of reach of scripts. */
export const STAFF_COOKIE = 'tp_staff';
/** The double-submit CSRF token: readable by the console, which echoes it in the CSRF header. */
export const CSRF_COOKIE = 'tp_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token of one console session, from its session token; no other session's token will do. */
export type CsrfTokenOf = (sessionToken: string) => Promise<string>;

/**
 * A session's CSRF token is derived from the session itself: HMAC-SHA256 under the staff secret of the session token
 * (which holds a random session id), so it cannot be guessed, and a token (or a planted CSRF cookie) from another
 * session never matches.
 */
export function csrfTokens(options: Pick<ApiConfig['staffToken'], 'secret'>): CsrfTokenOf {
  const encoder = new TextEncoder();
  const key = crypto.subtle.importKey('raw', encoder.encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return async function csrfTokenOf(sessionToken) {
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key, encoder.encode(`csrf.${sessionToken}`)));
    return btoa(String.fromCharCode(...mac))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replaceAll('=', '');
  };
}

/**
 * The staff member a request speaks for: by `Authorization: Bearer <staff token>`, or by the console's session cookie.
 * A cookie travels by itself, so an unsafe request authenticated by it must also send its session's CSRF token in the
 * CSRF header; a Bearer token is never sent by the browser on its own, so it needs no CSRF token.
 */
export async function authenticateStaff(
  c: Context<AppEnv>,
  verify: (token: string) => Promise<StaffMember>,
  csrfTokenOf: CsrfTokenOf,
): Promise<StaffMember> {
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
    if (!match?.[1]) throw unauthorized('Staff routes need "Authorization: Bearer <staff token>".');
    return verify(match[1]);
  }
  const cookie = getCookie(c, STAFF_COOKIE);
  if (!cookie) throw unauthorized('Staff routes need "Authorization: Bearer <staff token>" or a console session.');
  const member = await verify(cookie);
  if (!SAFE_METHODS.has(c.req.method) && !sameToken(await csrfTokenOf(cookie), c.req.header(CSRF_HEADER))) {
    throw new ProblemError(
      403,
      'csrf',
      'CSRF token missing or wrong',
      `A change made with the console's session needs that session's CSRF token (the ${CSRF_COOKIE} cookie set at sign-in) in the ${CSRF_HEADER} header.`,
    );
  }
  return member;
}

/** Compares in constant time, so the header's timing tells nothing of the expected token. */
function sameToken(expected: string, header: string | undefined): boolean {
  if (!header) return false;
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(header);
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** Authenticates staff (see authenticateStaff) and puts the member on the context. */
export function staffAuthentication(
  verify: (token: string) => Promise<StaffMember>,
  csrfTokenOf: CsrfTokenOf,
): MiddlewareHandler<AppEnv> {
  return async function staffAuth(c: Context<AppEnv>, next: Next) {
    c.set('staff', await authenticateStaff(c, verify, csrfTokenOf));
    await next();
  };
}

/**
 * Lets the request through when the staff member holds one of the roles; admin holds them all. A member without the
 * role gets 403 and nothing changes.
 */
export function requireRole(...roles: StaffRole[]): MiddlewareHandler<AppEnv> {
  return async function roleGuard(c: Context<AppEnv>, next: Next) {
    const staff = c.get('staff');
    if (!staff) throw unauthorized('Staff routes need a staff token.');
    if (!staff.roles.includes('admin') && !staff.roles.some((role) => roles.includes(role))) {
      throw new ProblemError(
        403,
        'forbidden',
        'Forbidden',
        `This needs the role ${roles.map((role) => `"${role}"`).join(' or ')}; the staff member holds ${staff.roles.join(', ')}.`,
      );
    }
    await next();
  };
}

function unauthorized(detail: string): ProblemError {
  return new ProblemError(401, 'unauthorized', 'Unauthorized', detail, undefined, {
    'www-authenticate': 'Bearer realm="touchpoint-staff"',
  });
}

/**
 * Mints a staff token as the bank's staff sign-in does: for the demo, the CLI and tests. In production the bank's
 * identity provider signs it.
 */
export async function mintStaffToken(
  options: ApiConfig['staffToken'],
  member: { id: string; roles: readonly StaffRole[]; branch?: string },
  {
    now = new Date(),
    ttlSeconds = 8 * 3600,
    sessionId,
  }: {
    now?: Date;
    ttlSeconds?: number /** A console session's random id (`jti`): each sign-in is its own. */;
    sessionId?: string;
  } = {},
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const token = new SignJWT({ roles: [...member.roles], ...(member.branch ? { branch: member.branch } : {}) });
  if (sessionId) token.setJti(sessionId);
  return token
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(member.id)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(new TextEncoder().encode(options.secret));
}
