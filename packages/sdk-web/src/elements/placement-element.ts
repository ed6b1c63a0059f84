import { h, render } from 'preact';
import { adoptBannerStyles, bannerCss } from '../banner.js';
import { createPlacementController, type PlacementController } from '../dom/placement-controller.js';
import type { Locale, TouchpointClient, WhyExplanation } from '../types.js';
import { Banner } from './banner.js';

export interface PlacementElementOptions {
  /** Default "tp-placement". */
  readonly tagName?: string;
}

const pixels = (value: string | null): string => {
  const number = Number(value);
  return value && Number.isFinite(number) && number > 0 ? `${Math.round(number)}px` : '';
};

/**
 * Registers <tp-placement name="dashboard-hero" width="960" height="240"> (optional: page, locale) for `client`.
 * The element reserves its size as soon as it is connected, renders the offer banner in an open shadow root, counts
 * the viewable impression once per decision, and reports clicks and dismissals. It dispatches `tp-decision`,
 * `tp-click` (cancelable: cancel it to route the link yourself) and `tp-dismiss` with the decision as detail.
 * Does nothing outside a browser or when the tag is already defined.
 */
export function definePlacementElement(client: TouchpointClient, options: PlacementElementOptions = {}): void {
  try {
    const tagName = options.tagName ?? 'tp-placement';
    if (typeof customElements === 'undefined' || typeof HTMLElement === 'undefined' || customElements.get(tagName)) {
      return;
    }
    customElements.define(tagName, createPlacementElement(client));
  } catch (error) {
    if (typeof console !== 'undefined') console.warn('[touchpoint] the placement element could not be defined', error);
  }
}

/** A decision whose explanation was asked for, and the explanation once it arrived. */
interface Why {
  readonly decision: unknown;
  explanation?: WhyExplanation | null;
}

function createPlacementElement(client: TouchpointClient): CustomElementConstructor {
  return class TouchpointPlacement extends HTMLElement {
    static observedAttributes = ['name', 'width', 'height', 'page', 'locale'];
    #controller: PlacementController | undefined;
    #unsubscribe = () => {};
    #shown: unknown = null;
    #connected = false;
    /** The explanation fetched for a decision ("why am I seeing this?"), by the decision it explains. */
    #why: Why = { decision: null };

    connectedCallback() {
      this.#connected = true;
      this.#reserve();
      this.#start();
    }

    disconnectedCallback() {
      this.#connected = false;
      this.#stop();
    }

    // Also called for each attribute when an element already on the page is upgraded, before connectedCallback.
    attributeChangedCallback(attribute: string, previous: string | null, value: string | null) {
      if (!this.#connected || previous === value) return;
      if (attribute === 'width' || attribute === 'height') return this.#reserve();
      this.#start();
    }

    /** The box keeps its size before, during and after the decision: no layout shift. */
    #reserve() {
      const style = this.style;
      style.display = 'block';
      style.boxSizing = 'border-box';
      style.width = '100%';
      style.maxWidth = pixels(this.getAttribute('width'));
      style.height = pixels(this.getAttribute('height'));
    }

    #start() {
      this.#stop();
      const name = this.getAttribute('name');
      this.setAttribute('aria-hidden', 'true');
      if (!name) return;
      const locale = this.getAttribute('locale');
      const controller = createPlacementController(client, {
        name,
        page: this.getAttribute('page') ?? undefined,
        locale: locale === 'da' || locale === 'en' ? (locale as Locale) : undefined,
      });
      this.#controller = controller;
      this.#unsubscribe = controller.subscribe(() => this.#render());
      controller.observe(this);
      this.#render();
    }

    #stop() {
      this.#unsubscribe();
      this.#controller?.destroy();
      this.#controller = undefined;
      this.#shown = null;
      if (this.shadowRoot) render(null, this.shadowRoot);
    }

    #emit(type: string, cancelable = false): boolean {
      const decision = this.#controller?.getState().decision ?? null;
      return this.dispatchEvent(new CustomEvent(type, { detail: decision, bubbles: true, composed: true, cancelable }));
    }

    #render() {
      const controller = this.#controller;
      if (!controller) return;
      const { decision, offer } = controller.getState();
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      // Without constructable stylesheets (older browsers) the styles go inline in the shadow root.
      const adopted = adoptBannerStyles(root);
      if (offer) this.removeAttribute('aria-hidden');
      else this.setAttribute('aria-hidden', 'true');
      const banner =
        decision && offer
          ? h(Banner, {
              decision,
              offer,
              onClick: (event: MouseEvent) => {
                controller.click();
                if (!this.#emit('tp-click', true)) event.preventDefault();
              },
              onDismiss: () => {
                this.#emit('tp-dismiss');
                controller.dismiss();
              },
              // Fetched once per decision, through the client: the customer token stays in its header.
              onWhy: () => {
                if (this.#why.decision === decision) return;
                const why: Why = { decision };
                this.#why = why;
                void client.explain(decision).then((explanation) => {
                  why.explanation = explanation;
                  if (this.#why === why) this.#render();
                });
              },
              explanation: this.#why.decision === decision ? this.#why.explanation : null,
            })
          : null;
      render(adopted ? banner : [h('style', null, bannerCss), banner], root);
      if (decision && decision !== this.#shown) {
        this.#shown = decision;
        this.#emit('tp-decision');
      }
    }
  };
}
