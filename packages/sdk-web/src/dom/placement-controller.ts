import { isFallback } from '../core/decision-response.js';
import type { TouchpointClient, TrackFields } from '../types.js';
import type { Locale, OfferContent, PlacementDecision } from '../wire.js';
import { observeViewable } from './observe-viewable.js';

/**
 * loading: no decision yet (or a new one is on its way after a dismissal);
 * ready: an offer to show; empty: the decision is to show nothing; error: no decision could be had.
 * In every state but ready the placement keeps its reserved box, empty.
 */
export type PlacementStatus = 'loading' | 'ready' | 'empty' | 'error';

export interface PlacementState {
  readonly status: PlacementStatus;
  readonly decision: PlacementDecision | null;
  readonly offer: OfferContent | null;
}

export interface PlacementOptions {
  /** The placement id, e.g. "dashboard-hero". */
  readonly name: string;
  readonly page?: string;
  readonly locale?: Locale;
}

/**
 * The logic every renderer of a placement shares: it loads the decision, measures the viewable impression, reports
 * clicks and dismissals, and asks again after a dismissal. A renderer subscribes, draws `getState()` and calls back.
 */
export interface PlacementController {
  /** The current state; the same object until it changes. */
  getState(): PlacementState;
  /** Calls `listener` on every change; the first subscriber starts loading the decision. Returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Asks for a decision again; the current content stays until the answer arrives. */
  load(): Promise<void>;
  /** The element whose viewability counts as the impression (the reserved box); null to stop observing. */
  observe(element: Element | null): void;
  /** The customer clicked the offer's link: report it. The link itself navigates as usual. */
  click(): void;
  /** The customer dismissed the offer: report it, empty the box and ask for the next decision. */
  dismiss(): void;
  destroy(): void;
}

const LOADING: PlacementState = { status: 'loading', decision: null, offer: null };

const stateOf = (decision: PlacementDecision | undefined): PlacementState =>
  !decision || isFallback(decision)
    ? { status: 'error', decision: decision ?? null, offer: null }
    : { status: decision.offer ? 'ready' : 'empty', decision, offer: decision.offer };

export function createPlacementController(client: TouchpointClient, options: PlacementOptions): PlacementController {
  const { name, page, locale } = options;
  const listeners = new Set<() => void>();
  /** Decisions whose viewable impression was counted: once per decision. */
  const impressed = new Set<string>();
  // A fresh cached decision is shown from the start, so it is in the first paint (load() then confirms it).
  const cached = client.cached(name, { page, locale });
  let state = cached ? stateOf(cached) : LOADING;
  /** Numbers decision requests: only the latest one's answer is shown. */
  let request = 0;
  let stopFollowingClient = () => {};
  let element: Element | null = null;
  let stopObserving = () => {};

  function fields(): TrackFields | null {
    const { decision, offer } = state;
    return decision && offer
      ? {
          placement: name,
          offer: offer.offerId,
          decisionId: decision.decisionId,
          page,
          // A null product is left out of the touchpoint like an absent one.
          product: offer.product as string | undefined,
        }
      : null;
  }

  /** Observes viewability while someone renders an offer whose impression is not counted yet. */
  function watch() {
    stopObserving();
    const current = fields();
    const id = state.decision?.decisionId ?? '';
    stopObserving =
      element && current && listeners.size && !impressed.has(id)
        ? observeViewable(element, () => {
            impressed.add(id);
            client.track('offer_impression', current);
          })
        : () => {};
  }

  function set(next: PlacementState) {
    state = next;
    watch();
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // One renderer's failure must not stop the others.
      }
    }
  }

  async function load() {
    const mine = ++request;
    const [decision] = await client.decide([name], { page, locale });
    if (mine === request) set(stateOf(decision));
  }

  function act(type: 'offer_click' | 'offer_dismiss') {
    const current = fields();
    if (current) client.track(type, current);
    return current;
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      // A change of consent or identity may change what this placement should show.
      if (listeners.size === 1) stopFollowingClient = client.subscribe(() => void load());
      watch();
      if (!request) void load();
      return () => {
        listeners.delete(listener);
        if (!listeners.size) stopFollowingClient();
        watch();
      };
    },
    load,
    observe(next) {
      element = next;
      watch();
    },
    click() {
      act('offer_click');
    },
    dismiss() {
      if (act('offer_dismiss')) {
        set(LOADING);
        void load();
      }
    },
    destroy() {
      // An answer still on its way is then ignored.
      request++;
      stopFollowingClient();
      listeners.clear();
      element = null;
      watch();
    },
  };
}
