import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditNetbank, type NetbankAudit } from '../support/lighthouse.js';
import { type Stack, startStack } from '../support/stack.js';

// Lighthouse on Debian's Chromium, as `pnpm lighthouse` runs it. Accessibility is asserted (Lighthouse's axe audits
// do not depend on timing); performance depends on how busy the machine is, so it is printed, not asserted.
describe('Lighthouse on the example net bank', () => {
  let stack: Stack;
  let audit: NetbankAudit;

  beforeAll(async () => {
    stack = await startStack();
    const { customers } = (await (await fetch(`${stack.netbankUrl}/api/customers`)).json()) as {
      customers: Array<{ id: string }>;
    };
    audit = await auditNetbank(stack.netbankUrl, customers[0]!.id);
    for (const page of audit.pages) console.log(`Lighthouse ${page.path}: ${JSON.stringify(page.scores)}`);
  }, 600_000);
  afterAll(async () => {
    await stack?.dispose();
  });

  it('audits the login page and the logged-in overview', () => {
    expect(audit.pages.map((page) => page.path)).toEqual(['/login', '/dashboard']);
  });

  it('scores at least 95 for accessibility on both', () => {
    for (const page of audit.pages) {
      expect(
        page.scores.accessibility,
        `${page.path}: ${page.accessibilityFailures.join('; ')}`,
      ).toBeGreaterThanOrEqual(95);
    }
  });
});
