import { describe, expect, it } from 'vitest';
import { engines, type Harness, NOW, staffToken, useHarness } from '../support/harness.js';

/** A valid experiment draft, as the console's hypothesis form sends it. */
const draft = {
  name: 'Car-loan hero with the cost of waiting',
  hypothesis: {
    change: 'Show the monthly cost of waiting instead of the monthly payment',
    audience: { placements: ['dashboard-hero'] },
    primaryMetric: 'click_through',
    minimumEffect: 0.05,
    direction: 'increase',
    principle: 'loss_aversion',
    rationale: 'Losses loom larger than gains of the same size (Kahneman and Tversky).',
  },
  arms: [
    { id: 'control', name: 'Today', allocation: 1 },
    { id: 'lever', name: 'Pushed harder', allocation: 1, offer: 'car-loan-price', lever: 1.5 },
  ],
};

interface Session {
  readonly cookie: string;
  readonly csrf: string;
  readonly setCookies: string[];
}

async function send(
  h: Harness,
  method: string,
  path: string,
  {
    body,
    headers = {},
    url = 'http://touchpoint.test',
  }: { body?: unknown; headers?: Record<string, string>; url?: string },
) {
  return h.touchpoint.app.request(`${url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function signIn(h: Harness, id: string, password: string): Promise<Session> {
  const response = await send(h, 'POST', '/v1/admin/session', { body: { id, password } });
  expect(response.status).toBe(200);
  const setCookies = response.headers.getSetCookie();
  const value = (name: string) =>
    setCookies
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0]
      ?.slice(name.length + 1);
  const staff = value('tp_staff');
  const csrf = value('tp_csrf');
  expect(staff).toBeTruthy();
  expect(csrf).toBeTruthy();
  expect((await response.json()).csrfToken).toBe(csrf);
  return { cookie: `tp_staff=${staff}; tp_csrf=${csrf}`, csrf: csrf ?? '', setCookies };
}

const withSession = (session: Session, csrf = true) => ({
  cookie: session.cookie,
  ...(csrf ? { 'x-csrf-token': session.csrf } : {}),
});

describe.each(engines)('staff sign in to the console on $name', (engine) => {
  const h = useHarness(engine);

  it('a marketer signs in with their password: an httpOnly, same-site session cookie that the staff routes accept', async () => {
    const session = await signIn(h, 'm.marketer', 'demo-marketer');
    const staffCookie = session.setCookies.find((c) => c.startsWith('tp_staff='))!;
    expect(staffCookie).toMatch(/HttpOnly/);
    expect(staffCookie).toMatch(/SameSite=Strict/);
    expect(staffCookie).toMatch(/Path=\//);
    expect(staffCookie).not.toMatch(/Secure/);
    const csrfCookie = session.setCookies.find((c) => c.startsWith('tp_csrf='))!;
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/SameSite=Strict/);

    const me = await send(h, 'GET', '/v1/admin/me', { headers: { cookie: session.cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      id: 'm.marketer',
      displayName: 'Mads Marketer',
      roles: ['marketer'],
      branch: null,
    });
  });

  it('marks the session cookies Secure over https', async () => {
    const response = await send(h, 'POST', '/v1/admin/session', {
      body: { id: 'r.advisor', password: 'demo-advisor' },
      url: 'https://touchpoint.test',
    });
    expect(response.status).toBe(200);
    for (const cookie of response.headers.getSetCookie()) expect(cookie).toMatch(/Secure/);
    expect((await response.json()).staff).toEqual({
      id: 'r.advisor',
      displayName: 'Rasmus Advisor',
      roles: ['advisor'],
      branch: 'Aarhus',
    });
  });

  it('refuses a wrong password and an unknown id alike, and locks an id after repeated failures', async () => {
    const wrong = await send(h, 'POST', '/v1/admin/session', { body: { id: 'a.approver', password: 'guess' } });
    const unknown = await send(h, 'POST', '/v1/admin/session', { body: { id: 'nobody', password: 'demo-approver' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a).toEqual(b);
    expect(a.detail).toBe('The staff id or the password is wrong.');
    expect(wrong.headers.getSetCookie()).toEqual([]);

    for (let i = 0; i < 4; i++) {
      expect(
        (await send(h, 'POST', '/v1/admin/session', { body: { id: 'a.approver', password: `x${i}` } })).status,
      ).toBe(401);
    }
    // Locked now, even with the right password: a guesser learns nothing more.
    const locked = await send(h, 'POST', '/v1/admin/session', {
      body: { id: 'a.approver', password: 'demo-approver' },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.headers.getSetCookie()).toEqual([]);
    // Another id is not locked by them.
    await signIn(h, 's.admin', 'demo-admin');
    // Once the window has passed, the id signs in again.
    h.setNow(new Date(Date.parse('2026-11-22T12:16:00Z')));
    await signIn(h, 'a.approver', 'demo-approver');
  });

  describe('behind one office address (a NAT every colleague shares)', () => {
    /** A sign-in from `address`, as Node's adapter gives the connection's peer. */
    const signInFrom = async (address: string, id: string, password: string) =>
      h.touchpoint.app.request(
        'http://touchpoint.test/v1/admin/session',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, password }) },
        { incoming: { socket: { remoteAddress: address } } },
      );

    it('failures for one account lock that account at that address only; a colleague there signs in at once', async () => {
      for (let i = 0; i < 5; i++) expect((await signInFrom('10.0.0.1', 'a.approver', `guess-${i}`)).status).toBe(401);
      expect((await signInFrom('10.0.0.1', 'a.approver', 'demo-approver')).status).toBe(429);
      expect((await signInFrom('10.0.0.1', 'm.marketer', 'demo-marketer')).status).toBe(200);
      // The account's owner elsewhere is not kept out.
      expect((await signInFrom('10.0.0.2', 'a.approver', 'demo-approver')).status).toBe(200);
    });

    it('after forty failures from the address, every other staff member there still signs in, waiting 30 s at most', async () => {
      let now = NOW.getTime();
      let failures = 0;
      let refusals = 0;
      // A guesser tries account after account from the office's address, waiting whenever told to.
      for (let attempt = 0; failures < 40; attempt++) {
        const response = await signInFrom('10.0.0.1', `guessed-${Math.floor(attempt / 5)}`, `guess-${attempt}`);
        if (response.status === 401) failures += 1;
        else {
          expect(response.status).toBe(429);
          const retryAfter = Number(response.headers.get('retry-after'));
          expect(retryAfter).toBeGreaterThan(0);
          expect(retryAfter).toBeLessThanOrEqual(30);
          refusals += 1;
          now += retryAfter * 1000;
          h.setNow(new Date(now));
        }
      }
      // The guesser was slowed: past twenty failures every try waited.
      expect(refusals).toBeGreaterThanOrEqual(19);
      const colleague = await signInFrom('10.0.0.1', 'm.marketer', 'demo-marketer');
      if (colleague.status !== 200) {
        expect(colleague.status).toBe(429);
        const retryAfter = Number(colleague.headers.get('retry-after'));
        expect(retryAfter).toBeLessThanOrEqual(30);
        h.setNow(new Date(now + retryAfter * 1000));
        expect((await signInFrom('10.0.0.1', 'm.marketer', 'demo-marketer')).status).toBe(200);
      }
      // Someone at another address is not slowed at all.
      expect((await signInFrom('10.0.0.9', 'v.viewer', 'demo-viewer')).status).toBe(200);
    });
  });

  it('refuses malformed sign-in bodies, naming the field', async () => {
    const response = await send(h, 'POST', '/v1/admin/session', { body: { id: 'm.marketer', pass: 'x' } });
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/pass', '/password']);
  });

  it('refuses a change made with the session cookie but without the CSRF header; a Bearer token needs none', async () => {
    const session = await signIn(h, 'm.marketer', 'demo-marketer');
    const refused = await send(h, 'POST', '/v1/admin/experiments', {
      body: draft,
      headers: withSession(session, false),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await refused.json()).type).toMatch(/csrf$/);
    const wrong = await send(h, 'POST', '/v1/admin/experiments', {
      body: draft,
      headers: { cookie: session.cookie, 'x-csrf-token': `${session.csrf.slice(1)}x` },
    });
    expect(wrong.status).toBe(403);
    expect(await h.store.experiments.list()).toEqual([]);

    const created = await send(h, 'POST', '/v1/admin/experiments', { body: draft, headers: withSession(session) });
    expect(created.status).toBe(201);
    const bearer = await send(h, 'POST', '/v1/admin/experiments', {
      body: draft,
      headers: { authorization: `Bearer ${await staffToken(['marketer'])}` },
    });
    expect(bearer.status).toBe(201);
    expect(await h.store.experiments.list()).toHaveLength(2);
  });

  it('binds the CSRF token to its session: another session’s token is refused, even with its own cookie planted', async () => {
    const mine = await signIn(h, 'm.marketer', 'demo-marketer');
    const again = await signIn(h, 'm.marketer', 'demo-marketer');
    const theirs = await signIn(h, 's.admin', 'demo-admin');
    // Each sign-in is a session of its own, with its own token, even for the same member in the same second.
    expect(new Set([mine.csrf, again.csrf, theirs.csrf]).size).toBe(3);
    const staffCookie = (session: Session) => session.cookie.split('; ')[0] as string;
    for (const other of [again, theirs]) {
      // What a cookie-tossing attacker sends: the victim's session cookie, and a CSRF cookie and header of another
      // session that all match each other.
      const refused = await send(h, 'POST', '/v1/admin/experiments', {
        body: draft,
        headers: { cookie: `${staffCookie(mine)}; tp_csrf=${other.csrf}`, 'x-csrf-token': other.csrf },
      });
      expect(refused.status).toBe(403);
      expect((await refused.json()).type).toMatch(/csrf$/);
    }
    // A made-up pair of cookie and header that match each other is no token either.
    const madeUp = 'a'.repeat(43);
    const forged = await send(h, 'POST', '/v1/admin/experiments', {
      body: draft,
      headers: { cookie: `${staffCookie(mine)}; tp_csrf=${madeUp}`, 'x-csrf-token': madeUp },
    });
    expect(forged.status).toBe(403);
    expect(await h.store.experiments.list()).toEqual([]);
    // The session's own token is accepted, whatever the CSRF cookie says.
    const created = await send(h, 'POST', '/v1/admin/experiments', {
      body: draft,
      headers: { cookie: `${staffCookie(mine)}; tp_csrf=${madeUp}`, 'x-csrf-token': mine.csrf },
    });
    expect(created.status).toBe(201);
    expect(await h.store.experiments.list()).toHaveLength(1);
  });

  it('a viewer’s session reads, but every change is refused by the API', async () => {
    const marketer = await signIn(h, 'm.marketer', 'demo-marketer');
    const created = await send(h, 'POST', '/v1/admin/experiments', { body: draft, headers: withSession(marketer) });
    const { experiment } = await created.json();

    const viewer = await signIn(h, 'v.viewer', 'demo-viewer');
    expect((await send(h, 'GET', '/v1/admin/experiments', { headers: withSession(viewer) })).status).toBe(200);
    const attempts = [
      ['POST', '/v1/admin/experiments', draft],
      ['POST', `/v1/admin/experiments/${experiment.id}/approve`, undefined],
      ['POST', `/v1/admin/experiments/${experiment.id}/start`, undefined],
      ['POST', `/v1/admin/experiments/${experiment.id}/stop`, { decision: 'keep_control' }],
    ] as const;
    for (const [method, path, body] of attempts) {
      const response = await send(h, method, path, { body, headers: withSession(viewer) });
      expect(response.status, path).toBe(403);
    }
    expect((await h.store.experiments.get(experiment.id))?.status).toBe('draft');
    expect(await h.store.experiments.list()).toHaveLength(1);
  });

  it('writes each staff change to the audit log with the target before and after, newest first', async () => {
    const marketer = await signIn(h, 'm.marketer', 'demo-marketer');
    const created = await send(h, 'POST', '/v1/admin/experiments', { body: draft, headers: withSession(marketer) });
    const { experiment } = await created.json();
    const approver = await signIn(h, 'a.approver', 'demo-approver');
    const approved = await send(h, 'POST', `/v1/admin/experiments/${experiment.id}/approve`, {
      headers: withSession(approver),
    });
    expect(approved.status).toBe(200);
    const signedOut = await send(h, 'DELETE', '/v1/admin/session', { headers: withSession(marketer) });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.getSetCookie().some((c) => /^tp_staff=;/.test(c) && /Max-Age=0/.test(c))).toBe(true);

    const viewer = await signIn(h, 'v.viewer', 'demo-viewer');
    const page = await (await send(h, 'GET', '/v1/admin/audit', { headers: withSession(viewer) })).json();
    expect(page.entries.map((e: { action: string; staffId: string }) => `${e.staffId} ${e.action}`)).toEqual([
      'v.viewer session.sign-in',
      'm.marketer session.sign-out',
      'a.approver experiment.approve',
      'a.approver session.sign-in',
      'm.marketer experiment.create',
      'm.marketer session.sign-in',
    ]);
    const approval = page.entries[2];
    expect(approval.target).toBe(`experiment:${experiment.id}`);
    expect(approval.before.status).toBe('draft');
    expect(approval.after.status).toBe('approved');
    expect(approval.after.approvedBy).toBe('a.approver');
    expect(page.entries[4].before).toBeNull();
    expect(page.entries[4].after.name).toBe(draft.name);
    expect(JSON.stringify(page)).not.toContain('demo-');

    const forTarget = await (
      await send(h, 'GET', `/v1/admin/audit?target=experiment:${experiment.id}&limit=1`, {
        headers: withSession(viewer),
      })
    ).json();
    expect(forTarget.entries.map((e: { action: string }) => e.action)).toEqual(['experiment.approve']);
    const older = await (
      await send(h, 'GET', `/v1/admin/audit?target=experiment:${experiment.id}&limit=1&before=${forTarget.next}`, {
        headers: withSession(viewer),
      })
    ).json();
    expect(older.entries.map((e: { action: string }) => e.action)).toEqual(['experiment.create']);
    expect(older.next).toBeNull();

    // Marketers change things; they do not read the audit log.
    expect((await send(h, 'GET', '/v1/admin/audit', { headers: withSession(approver) })).status).toBe(200);
    const other = await signIn(h, 'm.marketer', 'demo-marketer');
    expect((await send(h, 'GET', '/v1/admin/audit', { headers: withSession(other) })).status).toBe(403);
    expect((await send(h, 'GET', '/v1/admin/audit?limit=0', { headers: withSession(viewer) })).status).toBe(422);
  });

  it('refuses a forged sign-out without the CSRF header, and clears an expired session quietly', async () => {
    const marketer = await signIn(h, 'm.marketer', 'demo-marketer');
    expect((await send(h, 'DELETE', '/v1/admin/session', { headers: withSession(marketer, false) })).status).toBe(403);
    h.setNow(new Date(Date.parse('2026-11-22T21:00:00Z')));
    const expired = await send(h, 'DELETE', '/v1/admin/session', { headers: withSession(marketer) });
    expect(expired.status).toBe(204);
    expect((await send(h, 'GET', '/v1/admin/me', { headers: { cookie: marketer.cookie } })).status).toBe(401);
  });
});
