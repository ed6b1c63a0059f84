import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import type { StaffAccount } from '../../config.js';
import {
  lockedFor,
  pruned,
  type SlowRule,
  slowedFor,
  type ThrottleRule,
  type ThrottleState,
  withFailure,
  withSuccess,
} from '../../domain/staff/sign-in-throttle.js';
import { readJson } from '../body.js';
import type { AppEnv } from '../env.js';
import { fieldErrors, invalidBody, ProblemError } from '../problem.js';
import type { Services } from '../services.js';
import {
  authenticateStaff,
  CSRF_COOKIE,
  csrfTokens,
  mintStaffToken,
  STAFF_COOKIE,
  type StaffMember,
  staffTokenVerifier,
} from '../staff-token.js';
import { problemResponses } from './openapi.js';
import { StaffMemberBody } from './staff.js';

export const SESSION_PATH = '/v1/admin/session';
/** A console session lasts a working day. */
const SESSION_SECONDS = 8 * 3600;
/**
 * Failed sign-ins, within 15 minutes: five for one account from one address lock that account at that address (the
 * guesser locks only themselves out). From one address (colleagues share an office NAT) past twenty, and for one
 * account from anywhere past ten, each try waits a delay after the last failure, doubling from 1 s up to 30 s: a
 * guesser gets about two tries a minute, and a colleague, or the account's owner elsewhere, waits 30 s at most.
 */
const WINDOW_MS = 15 * 60_000;
const PER_ACCOUNT_AT_ADDRESS: ThrottleRule = { maxFailures: 5, windowMs: WINDOW_MS };
const PER_ADDRESS: SlowRule = { windowMs: WINDOW_MS, freeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 30_000 };
const PER_ACCOUNT: SlowRule = { windowMs: WINDOW_MS, freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 30_000 };

const SignIn = z
  .strictObject({
    id: z.string().min(1).max(128),
    password: z.string().min(1).max(1024),
  })
  .openapi('StaffSignIn');

const Session = z
  .object({
    staff: StaffMemberBody,
    csrfToken: z.string().openapi({ description: 'Echo it in the X-CSRF-Token header of every change.' }),
    expiresAt: z.string(),
  })
  .openapi('StaffSession');

/** The peer address when the runtime gives one (Node's adapter does); otherwise every request shares one key. */
function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** Staff sign in to the console with their id and password; the session is an httpOnly cookie holding a staff token. */
export function sessionRoutes(app: OpenAPIHono<AppEnv>, services: Services): void {
  const { config } = services;
  const directory = new Map<string, StaffAccount>(config.staffDirectory.map((account) => [account.id, account]));
  const verify = staffTokenVerifier(config.staffToken, services.now);
  const csrfTokenOf = csrfTokens(config.staffToken);
  let failures: ThrottleState = new Map();

  const setSessionCookies = (c: Context, token: string, csrf: string) => {
    const common = { path: '/', sameSite: 'Strict', secure: isHttps(c), maxAge: SESSION_SECONDS } as const;
    setCookie(c, STAFF_COOKIE, token, { ...common, httpOnly: true });
    setCookie(c, CSRF_COOKIE, csrf, common);
  };
  const clearSessionCookies = (c: Context) => {
    const common = { path: '/', sameSite: 'Strict', secure: isHttps(c) } as const;
    deleteCookie(c, STAFF_COOKIE, { ...common, httpOnly: true });
    deleteCookie(c, CSRF_COOKIE, common);
  };

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: SESSION_PATH,
    tags: ['Staff'],
    summary: 'Sign in to the console',
    description:
      'Sets the session cookie (httpOnly, SameSite=Strict) and a readable CSRF cookie bound to the session. Wrong id or password answer alike. Five failures for one account from one address lock that pair for 15 minutes; many failures from one address or for one account slow every try there (a delay of up to 30 s): 429 with Retry-After.',
    request: { body: { required: true, content: { 'application/json': { schema: SignIn } } } },
    responses: {
      200: { description: 'Signed in', content: { 'application/json': { schema: Session } } },
      ...problemResponses(400, 401, 415, 422, 429),
    },
  });
  app.post(SESSION_PATH, async (c) => {
    const parsed = SignIn.safeParse(await readJson(c, 4096));
    if (!parsed.success) throw invalidBody(fieldErrors(parsed.error));
    const { id, password } = parsed.data;
    const now = services.now().getTime();
    const address = clientAddress(c);
    const pairKey = `account-at-address:${id}@${address}`;
    const accountKey = `account:${id}`;
    const addressKey = `address:${address}`;
    failures = pruned(failures, WINDOW_MS, now);
    const wait = Math.max(
      lockedFor(failures, pairKey, PER_ACCOUNT_AT_ADDRESS, now),
      slowedFor(failures, addressKey, PER_ADDRESS, now),
      slowedFor(failures, accountKey, PER_ACCOUNT, now),
    );
    if (wait > 0) {
      throw new ProblemError(
        429,
        'too-many-sign-in-attempts',
        'Too many sign-in attempts',
        'Too many failed sign-ins: wait before trying again.',
        undefined,
        { 'retry-after': String(Math.ceil(wait / 1000)) },
      );
    }
    const account = directory.get(id);
    // An unknown id spends the same work as a wrong password, so timing does not tell which part was wrong.
    const matches = await services.verifyStaffPassword(password, account?.passwordHash ?? null);
    if (!account || !matches) {
      for (const key of [pairKey, accountKey, addressKey]) failures = withFailure(failures, key, WINDOW_MS, now);
      throw new ProblemError(401, 'sign-in-failed', 'Sign-in failed', 'The staff id or the password is wrong.');
    }
    failures = withSuccess(withSuccess(failures, pairKey), accountKey);

    const member = { id: account.id, roles: account.roles, ...(account.branch ? { branch: account.branch } : {}) };
    const token = await mintStaffToken(config.staffToken, member, {
      now: services.now(),
      ttlSeconds: SESSION_SECONDS,
      sessionId: randomToken(),
    });
    const csrf = await csrfTokenOf(token);
    setSessionCookies(c, token, csrf);
    const staff = {
      id: account.id,
      displayName: account.displayName,
      roles: account.roles,
      branch: account.branch ?? null,
    };
    await services.store.audit.record({
      at: services.now().toISOString(),
      staffId: account.id,
      action: 'session.sign-in',
      target: `staff:${account.id}`,
      before: null,
      after: { roles: account.roles, branch: account.branch ?? null },
    });
    return c.json(
      Session.parse({ staff, csrfToken: csrf, expiresAt: new Date(now + SESSION_SECONDS * 1000).toISOString() }),
      200,
      { 'cache-control': 'no-store' },
    );
  });

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: SESSION_PATH,
    tags: ['Staff'],
    summary: 'Sign out of the console',
    description: 'Clears the session cookies. With a cookie session the CSRF header is needed, as for any change.',
    responses: { 204: { description: 'Signed out' }, ...problemResponses(403) },
  });
  app.delete(SESSION_PATH, async (c) => {
    let member: StaffMember | null = null;
    try {
      member = await authenticateStaff(c, verify, csrfTokenOf);
    } catch (error) {
      // A forged sign-out is refused; an expired or missing session is simply cleared.
      if (error instanceof ProblemError && error.status === 403) throw error;
    }
    clearSessionCookies(c);
    if (member) {
      await services.store.audit.record({
        at: services.now().toISOString(),
        staffId: member.id,
        action: 'session.sign-out',
        target: `staff:${member.id}`,
        before: { roles: member.roles, branch: member.branch },
        after: null,
      });
    }
    return c.body(null, 204);
  });
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');
}
