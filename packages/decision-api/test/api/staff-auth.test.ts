import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEMO_STAFF_TOKEN_SECRET } from '../../src/config.js';
import { customerToken, engines, NOW, staffToken, useHarness } from '../support/harness.js';

describe.each(engines)('staff routes on $name', (engine) => {
  const h = useHarness(engine);

  it('names the signed-in staff member and their roles', async () => {
    const token = await staffToken(['advisor'], { id: 'a.jensen', branch: 'aarhus-c' });
    const response = await h.get('/v1/admin/me', { key: null, token });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'a.jensen', roles: ['advisor'], branch: 'aarhus-c' });
  });

  it('refuses a request without a staff token, even with a site key', async () => {
    const response = await h.get('/v1/admin/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('www-authenticate')).toContain('touchpoint-staff');
  });

  it('never lets a customer token act as staff', async () => {
    const response = await h.get('/v1/admin/me', { token: await customerToken('c-00001') });
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toMatch(/staff token/);
  });

  it('refuses an expired staff token, one with unknown roles, and one signed with another secret', async () => {
    const sign = (claims: Record<string, unknown>, secret: string, exp: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('m.hansen')
        .setIssuer('touchpoint-staff')
        .setAudience('touchpoint-console')
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(secret));
    const now = Math.floor(NOW.getTime() / 1000);
    const tokens = [
      await sign({ roles: ['admin'] }, DEMO_STAFF_TOKEN_SECRET, now - 3600),
      await sign({ roles: ['superuser'] }, DEMO_STAFF_TOKEN_SECRET, now + 3600),
      await sign({ roles: ['admin'] }, 'another-secret-of-enough-length', now + 3600),
    ];
    for (const token of tokens) {
      const response = await h.get('/v1/admin/me', { key: null, token });
      expect(response.status).toBe(401);
    }
  });

  it('lists the staff token as the only security of staff routes in the OpenAPI document', async () => {
    const document = await (await h.get('/openapi.json', { key: null })).json();
    expect(document.paths['/v1/admin/me'].get.security).toEqual([{ staffToken: [] }]);
    expect(document.components.securitySchemes.staffToken.scheme).toBe('bearer');
  });
});
