import { describe, expect, it } from 'vitest';
import { engines, type Harness, staffToken, useHarness } from '../support/harness.js';

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
