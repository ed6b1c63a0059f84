// @vitest-environment node
import { createClient } from '@touchpoint/sdk-web';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Placement, TouchpointProvider, usePlacement } from '../src/index.js';

afterEach(() => vi.restoreAllMocks());

function Status() {
  return <output>{usePlacement('dashboard-hero').status}</output>;
}

describe('server rendering', () => {
  it('renders the reserved box, loading, with no window and no request', () => {
    expect(typeof window).toBe('undefined');
    const fetching = vi.spyOn(globalThis, 'fetch');
    const client = createClient({
      endpoint: 'https://touchpoint.bank.test',
      siteKey: 'pk',
      channel: 'netbank',
      consent: 'pending',
    });
    const html = renderToString(
      <TouchpointProvider client={client}>
        <Placement name="dashboard-hero" width={960} height={240} />
        <Status />
      </TouchpointProvider>,
    );
    expect(html).toBe(
      '<div class="tp-placement" data-placement="dashboard-hero" aria-hidden="true" style="display:block;box-sizing:border-box;width:100%;max-width:960px;height:240px"></div><output>loading</output>',
    );
    expect(fetching).not.toHaveBeenCalled();
    client.destroy();
  });
});
