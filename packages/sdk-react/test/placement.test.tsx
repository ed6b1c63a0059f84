import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { delay, HttpResponse } from 'msw';
import { type ReactNode, StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decision, offer, testDevice } from '../../sdk-web/test/support/api.js';
import { stubViewport } from '../../sdk-web/test/support/viewport.js';
import { Placement, TouchpointProvider, useLogout, usePlacement, useTrack } from '../src/index.js';

const device = testDevice();
const { api } = device;
afterEach(cleanup);

function Page({
  children,
  client = device.client(),
}: {
  children: ReactNode;
  client?: ReturnType<typeof device.client>;
}) {
  return <TouchpointProvider client={client}>{children}</TouchpointProvider>;
}

function Hero() {
  const placement = usePlacement('dashboard-hero', { page: '/overview', locale: 'da' });
  return (
    <section ref={placement.ref} data-testid="hero" data-status={placement.status}>
      {placement.offer?.headline}
      <button type="button" onClick={placement.onDismiss}>
        dismiss
      </button>
    </section>
  );
}

function Calculator({ amount, functions }: { amount: number; functions: Set<unknown> }) {
  const track = useTrack();
  functions.add(track);
  return (
    <button type="button" onClick={() => track('calculator_used', { product: 'car_loan', properties: { amount } })}>
      calculate
    </button>
  );
}

describe('<Placement>', () => {
  it('reserves its box at the first render, before the decision arrives', async () => {
    api.nextDecisions(async (request) => {
      await delay(100);
      return HttpResponse.json({ decisions: request.placements.map((name) => decision(name)) });
    });
    const { container } = render(
      <Page>
        <Placement name="dashboard-hero" width={960} height={240} />
      </Page>,
    );
    const box = container.querySelector<HTMLElement>('.tp-placement');
    expect(box?.style.height).toBe('240px');
    expect(box?.style.maxWidth).toBe('960px');
    expect(box?.style.width).toBe('100%');
    expect(box?.getAttribute('aria-hidden')).toBe('true');
    expect(box?.children).toHaveLength(0);
    await screen.findByRole('region');
    expect(box?.hasAttribute('aria-hidden')).toBe(false);
    expect(box?.style.height).toBe('240px');
  });

  it('“why am I seeing this?” fetches the explanation through the client once and shows it in the banner', async () => {
    const decided = decision('dashboard-hero');
    const why = `https://touchpoint.bank.test/v1/me/decisions/${decided.decisionId}/why`;
    api.nextDecisions(() => HttpResponse.json({ decisions: [{ ...decided, why }] }));
    render(
      <Page client={device.client({ getCustomerToken: () => 'header.payload.signature' })}>
        <Placement name="dashboard-hero" width={960} height={240} />
      </Page>,
    );
    const region = await screen.findByRole('region');
    const details = region.querySelector<HTMLDetailsElement>('details.tp-why');
    expect(details?.querySelector('summary')?.textContent).toBe('Why am I seeing this?');
    expect(details?.querySelector('div')?.textContent).toBe('You recently priced a car loan.');
    const open = () =>
      act(() => {
        if (!details) return;
        details.open = true;
        fireEvent(details, new Event('toggle'));
      });
    open();
    await waitFor(() => expect(details?.textContent).toContain('You used the car loan calculator.'));
    expect([...(details?.querySelectorAll('p, li') ?? [])].map((node) => node.textContent)).toEqual([
      'You recently priced a car loan.',
      'You are comparing prices of car loan.',
      'You used the car loan calculator.',
      'You can turn personalised offers off under Privacy.',
    ]);
    expect(api.whyRequests.map((request) => request.url.href)).toEqual([why]);
    expect(api.whyRequests[0]?.headers.get('authorization')).toBe('Bearer header.payload.signature');
    open();
    expect(api.whyRequests).toHaveLength(1);
  });

  it('shows the offer in the same banner markup as the <tp-placement> element', async () => {
    const decided = decision('dashboard-hero');
    api.nextDecisions(() => HttpResponse.json({ decisions: [decided] }));
    render(
      <Page>
        <Placement name="dashboard-hero" width={960} height={240} />
      </Page>,
    );
    const region = await screen.findByRole('region', { name: 'What will your next car cost a month?' });
    expect(region.className).toBe('tp-banner');
    expect(region.dataset.offerId).toBe('car-loan-calculator');
    expect(region.dataset.decisionId).toBe(decided.decisionId);
    expect(screen.getByRole('heading', { level: 2 }).className).toBe('tp-headline');
    expect(region.querySelector('p.tp-body')?.textContent).toContain('monthly payment');
    expect(screen.getByRole('link', { name: 'Price your car loan' }).getAttribute('href')).toBe(
      '/loans/car?calculator=1',
    );
    const image = screen.getByRole('img', { name: 'A small green car' });
    expect([image.getAttribute('width'), image.getAttribute('height')]).toEqual(['160', '120']);
    const dismiss = screen.getByRole('button', { name: 'Dismiss offer' });
    expect(dismiss.getAttribute('type')).toBe('button');
    expect(dismiss.className).toBe('tp-dismiss');
  });

  it('its styles come as a constructable stylesheet on the document, not an inline <style>', async () => {
    render(
      <Page>
        <Placement name="dashboard-hero" width={960} height={240} />
      </Page>,
    );
    await screen.findByRole('region');
    expect(document.querySelector('style')).toBeNull();
    // One sheet, the page version of the banner's: its rules are in a cascade layer, which happy-dom does not parse;
    // test/e2e/banner-host-css.test.ts checks in Chromium that the page's own rules cannot restyle the banner.
    expect(document.adoptedStyleSheets).toHaveLength(1);
  });

  it('a decision to show nothing leaves the box empty and hidden from screen readers', async () => {
    api.nextDecisions(() => HttpResponse.json({ decisions: [decision('product-sidebar', { offer: null })] }));
    const { container } = render(
      <Page>
        <Placement name="product-sidebar" width={300} height={360} />
      </Page>,
    );
    await waitFor(() => expect(api.decisionRequests).toHaveLength(1));
    await act(() => delay(20));
    const box = container.querySelector<HTMLElement>('.tp-placement');
    expect(box?.children).toHaveLength(0);
    expect(box?.getAttribute('aria-hidden')).toBe('true');
    expect(box?.style.height).toBe('360px');
  });

  it('a customer who dismisses the offer sees the next one, decided after the dismissal reached the API', async () => {
    const first = decision('dashboard-hero');
    const next = decision('dashboard-hero', {
      offer: offer({ offerId: 'pension-check', headline: 'Is your pension on track?' }),
    });
    api.nextDecisions(
      () => HttpResponse.json({ decisions: [first] }),
      () => HttpResponse.json({ decisions: [next] }),
    );
    render(
      <Page>
        <Placement name="dashboard-hero" width={960} height={240} />
      </Page>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Dismiss offer' }));
    expect(screen.queryByRole('region')).toBeNull();
    expect(await screen.findByRole('region', { name: 'Is your pension on track?' })).toBeTruthy();
    expect(api.order).toEqual(['/v1/decisions', '/v1/touchpoints', '/v1/decisions']);
    expect(api.batches[0]?.body.touchpoints).toEqual([
      expect.objectContaining({ type: 'offer_dismiss', placement: 'dashboard-hero', decisionId: first.decisionId }),
    ]);
  });

  it('a click on the offer is tracked; the link still navigates', async () => {
    const client = device.client();
    render(
      <Page client={client}>
        <Placement name="dashboard-hero" width={960} height={240} />
      </Page>,
    );
    const link = await screen.findByRole('link');
    const navigates = fireEvent.click(link);
    expect(navigates).toBe(true);
    await client.flush();
    expect(api.batches[0]?.body.touchpoints.map((item) => item.type)).toEqual(['offer_click']);
  });

  it('a render prop draws a custom design from the same state, loading included', async () => {
    const seen: string[] = [];
    render(
      <Page>
        <Placement
          name="dashboard-hero"
          height={240}
          render={({ status, offer: current, onDismiss }) => {
            seen.push(status);
            return current ? (
              <button type="button" onClick={onDismiss}>
                {current.headline}
              </button>
            ) : (
              <span>…</span>
            );
          }}
        />
      </Page>,
    );
    expect(await screen.findByRole('button', { name: 'What will your next car cost a month?' })).toBeTruthy();
    expect(seen[0]).toBe('loading');
    expect(seen.at(-1)).toBe('ready');
  });

  it('in StrictMode it still asks for one decision', async () => {
    render(
      <StrictMode>
        <Page>
          <Placement name="dashboard-hero" width={960} height={240} />
        </Page>
      </StrictMode>,
    );
    await screen.findByRole('region');
    expect(api.decisionRequests).toHaveLength(1);
  });
});

describe('usePlacement', () => {
  it('goes from loading to ready with the decision, asked for in the given page and locale', async () => {
    render(
      <Page>
        <Hero />
      </Page>,
    );
    expect(screen.getByTestId('hero').dataset.status).toBe('loading');
    await waitFor(() => expect(screen.getByTestId('hero').dataset.status).toBe('ready'));
    expect(api.decisionRequests[0]?.body.context).toMatchObject({ page: '/overview', locale: 'da' });
  });

  it('reports an error state when no decision could be had', async () => {
    api.nextDecisions(() => HttpResponse.error());
    render(
      <Page>
        <Hero />
      </Page>,
    );
    await waitFor(() => expect(screen.getByTestId('hero').dataset.status).toBe('error'));
  });

  it('counts the viewable impression of the element its ref is on', async () => {
    const viewport = stubViewport();
    const client = device.client();
    render(
      <Page client={client}>
        <Hero />
      </Page>,
    );
    await waitFor(() => expect(screen.getByTestId('hero').dataset.status).toBe('ready'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    viewport.show(screen.getByTestId('hero'), 0.75);
    await vi.advanceTimersByTimeAsync(1100);
    vi.useRealTimers();
    await client.flush();
    expect(api.batches[0]?.body.touchpoints).toEqual([
      expect.objectContaining({ type: 'offer_impression', placement: 'dashboard-hero', page: '/overview' }),
    ]);
  });

  it('needs a provider, and says so', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Hero />)).toThrow('<TouchpointProvider client={client}>');
    quiet.mockRestore();
  });
});

describe('useTrack', () => {
  it('tracks through the provider’s client, with a function that stays the same across renders', async () => {
    const client = device.client();
    const functions = new Set<unknown>();
    const { rerender } = render(
      <Page client={client}>
        <Calculator amount={1} functions={functions} />
      </Page>,
    );
    rerender(
      <Page client={client}>
        <Calculator amount={250000} functions={functions} />
      </Page>,
    );
    fireEvent.click(screen.getByRole('button'));
    await client.flush();
    expect(functions.size).toBe(1);
    expect(api.batches[0]?.body.touchpoints).toEqual([
      expect.objectContaining({ type: 'calculator_used', product: 'car_loan', properties: { amount: 250000 } }),
    ]);
  });
});

function LogOut() {
  const logout = useLogout();
  return (
    <button type="button" onClick={logout}>
      log out
    </button>
  );
}

describe('useLogout', () => {
  it('drops what the customer left queued, on the device too, and the placements decide again', async () => {
    const client = device.client();
    api.nextTouchpoints(() => new HttpResponse(null, { status: 503 }));
    render(
      <Page client={client}>
        <Hero />
        <LogOut />
      </Page>,
    );
    await waitFor(() => expect(screen.getByTestId('hero').dataset.status).toBe('ready'));
    client.track('product_view', { product: 'mortgage' });
    await client.flush();
    const anonymousId = api.decisionRequests[0]?.body.anonymousId;

    fireEvent.click(screen.getByRole('button', { name: 'log out' }));
    await waitFor(() => expect(api.decisionRequests).toHaveLength(2));
    expect(api.decisionRequests[1]?.body.anonymousId).not.toBe(anonymousId);
    await client.flush();
    // Only the failed batch was ever sent: nothing of the previous customer is left to send.
    expect(api.batches).toHaveLength(1);
    const next = device.client();
    await next.flush();
    expect(api.batches).toHaveLength(1);
  });
});
