import type { Locale, OfferContent, PlacementDecision, WhyExplanation } from './wire.js';

/**
 * The offer banner's stylesheet, shared by the <tp-placement> element (in its shadow root) and sdk-react's
 * <Placement> (on the document). Colours meet WCAG AA contrast; focus is always visible.
 */
export const bannerCss = `:host{all:initial}
:host,.tp-placement{display:block;box-sizing:border-box;container-type:size}
.tp-banner{position:relative;display:flex;align-items:center;gap:16px;box-sizing:border-box;height:100%;padding:16px 52px 16px 16px;overflow:hidden;border:1px solid #c5d5e4;border-radius:12px;background:#fdfaf3;color:#1d3557;font:15px/1.4 system-ui,sans-serif}
.tp-image{flex:none;width:160px;height:120px;max-width:35%;max-height:100%;object-fit:contain}
.tp-content{display:flex;flex-direction:column;align-items:flex-start;gap:8px;min-width:0;max-height:100%}
.tp-headline,.tp-body{display:-webkit-box;margin:0;overflow:hidden;-webkit-box-orient:vertical;-webkit-line-clamp:3}
.tp-headline{font-size:1.2em;line-height:1.25;-webkit-line-clamp:2}
.tp-body{color:#263445}
.tp-cta{padding:8px 16px;border-radius:8px;background:#1d3557;color:#fff;font-weight:600;text-decoration:none;white-space:nowrap}
.tp-cta:hover{background:#2b4d7a;text-decoration:underline}
.tp-dismiss{position:absolute;top:8px;right:8px;width:36px;height:36px;padding:0;border:0;border-radius:50%;background:none;color:#1d3557;font:24px/1 system-ui,sans-serif;cursor:pointer}
.tp-dismiss:hover{background:#e8f1f8}
.tp-cta:focus-visible,.tp-dismiss:focus-visible,.tp-why>summary:focus-visible{outline:3px solid #1d3557;outline-offset:2px;box-shadow:0 0 0 5px #fdfaf3}
.tp-why{font-size:.85em;color:#3d4f63}
.tp-why>summary{cursor:pointer;text-decoration:underline}
.tp-why>div{position:absolute;inset:auto 8px 8px;max-height:calc(100% - 16px);box-sizing:border-box;overflow:auto;padding:8px 12px;border:1px solid #c5d5e4;border-radius:8px;background:#fff;color:#1d3557}
.tp-why p,.tp-why ul{margin:0 0 4px}
.tp-why ul{padding-left:1.2em}
@container (orientation:portrait){.tp-banner{flex-direction:column;align-items:flex-start;padding-top:52px}.tp-image{max-width:100%;max-height:30%}}
@container (max-height:200px){.tp-banner{gap:12px;padding:12px 44px 12px 12px;font-size:14px}.tp-content{gap:6px}.tp-headline{font-size:1.05em}.tp-body{-webkit-line-clamp:2}.tp-image{max-width:28%}.tp-cta{padding:6px 12px}.tp-dismiss{top:4px;right:4px}}
@media (forced-colors:active){.tp-banner,.tp-cta,.tp-dismiss{border:1px solid CanvasText}}`;

export interface BannerText {
  /** Accessible name of the dismiss button. */
  readonly dismiss: string;
  /** Summary of the "why am I seeing this?" disclosure. */
  readonly why: string;
}

const TEXT: Record<Locale, BannerText> = {
  da: { dismiss: 'Luk tilbud', why: 'Hvorfor ser jeg dette?' },
  en: { dismiss: 'Dismiss offer', why: 'Why am I seeing this?' },
};

/** The banner's own words in the offer's locale (Danish unless it is English). */
export function bannerText(locale: string): BannerText {
  return locale === 'en' ? TEXT.en : TEXT.da;
}

/**
 * Catalog images are drawn at 160×120. The stylesheet gives the image that box (smaller where the banner is, the
 * picture contained in it), never `auto`: its natural size is unknown until it loads, and the text beside it would
 * move when it arrived (layout shift). The attributes say the same to renderers without the stylesheet.
 */
export const BANNER_IMAGE_SIZE = { width: 160, height: 120 } as const;

const sheets: Record<string, CSSStyleSheet> = {};

/** Adopts `css` as a constructable stylesheet (made once), which a strict CSP allows without 'unsafe-inline'. */
function adopt(target: Document | ShadowRoot, css: string): boolean {
  try {
    if (!('adoptedStyleSheets' in target) || typeof CSSStyleSheet === 'undefined') return false;
    let sheet = sheets[css];
    if (!sheet) {
      sheet = sheets[css] = new CSSStyleSheet();
      sheet.replaceSync(css);
    }
    if (!target.adoptedStyleSheets.includes(sheet)) target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
    return true;
  } catch {
    return false;
  }
}

/**
 * Adopts the banner stylesheet in a shadow root (the <tp-placement> element's). Returns false where constructable
 * stylesheets are unsupported.
 */
export function adoptBannerStyles(target: ShadowRoot): boolean {
  return adopt(target, bannerCss);
}

/**
 * The banner's stylesheet for a banner drawn in the page itself (sdk-react's <Placement>), where the page's own rules
 * reach it (`#root { text-align: center }`, `h2 { font-weight: 500 }`, `#app .card p { … }`), as they never reach
 * the element's shadow root. So it starts from the browser's defaults as the shadow root does: the banner's root
 * takes nothing from the page (`all: initial`), each element in it drops what the page set (`all: revert`), and then
 * the banner's own rules apply. All of it is `!important` inside a cascade layer: an important declaration in a
 * layer wins over every unlayered rule of the page, whatever its specificity and even when the page's is important.
 */
export function pageBannerCss(): string {
  const important = bannerCss.replace(/([^{};]+:[^{};]+)(?=[;}])/g, '$1!important');
  return `@layer touchpoint-banner{.tp-banner{all:initial!important}.tp-banner *{all:revert!important}\n${important}}`;
}

/**
 * Adopts the page version of the banner stylesheet (see pageBannerCss) in a document. Returns false where
 * constructable stylesheets are unsupported.
 */
export function adoptPageBannerStyles(target: Document): boolean {
  return adopt(target, pageBannerCss());
}

/** `h` of Preact or `createElement` of React: the same signature, so one banner definition serves both renderers. */
export type CreateElement<Node> = (type: string, props: Record<string, unknown> | null, ...children: unknown[]) => Node;

export interface BannerProps<ClickEvent = unknown> {
  readonly decision: PlacementDecision;
  readonly offer: OfferContent;
  /** The offer's link was clicked; it navigates afterwards unless the event's default is prevented. */
  readonly onClick?: (event: ClickEvent) => void;
  readonly onDismiss?: () => void;
  /**
   * The "why am I seeing this?" disclosure was opened: the renderer fetches the explanation (`client.explain`) for a
   * decision with a `why` link and passes it back as `explanation`. Until then the decision's short reason shows.
   */
  readonly onWhy?: () => void;
  readonly explanation?: WhyExplanation | null;
}

/** Text to draw, or null: the explanation is the API's JSON, so each part is checked before it is drawn. */
const textOf = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

/**
 * The disclosure's content: the explanation (reason, journey, the visits that led there, how to opt out) or, until
 * it is there, the decision's short reason.
 */
function whyContent<Node>(h: CreateElement<Node>, reason: string, explanation: unknown): unknown[] {
  const why = (explanation ?? {}) as Partial<Record<keyof WhyExplanation, unknown>> & {
    journey?: { description?: unknown };
  };
  const visits = (Array.isArray(why.touchpoints) ? why.touchpoints : [])
    .map((visit) => textOf(visit?.description))
    .filter(Boolean);
  const optOut = textOf(why.optOut);
  const journey = textOf(why.journey?.description);
  return [
    h('p', null, textOf(why.reason) ?? reason),
    journey && h('p', null, journey),
    visits.length ? h('ul', null, ...visits.map((visit) => h('li', null, visit))) : null,
    optOut && h('p', null, optOut),
  ];
}

/**
 * The offer banner, drawn with the renderer's `createElement`: structured content only, never raw HTML. A region named
 * by the headline, with the offer and decision ids; the headline, body and link; the image with explicit size; the
 * "why am I seeing this?" disclosure (opening it calls `onWhy`); and the dismiss button.
 */
export function banner<Node>(
  h: CreateElement<Node>,
  { decision, offer, onClick, onDismiss, onWhy, explanation }: BannerProps,
): Node {
  const text = bannerText(offer.locale);
  const { image } = offer;
  return h(
    'section',
    {
      // A new decision is a new banner: its disclosure starts closed, its explanation is fetched anew.
      key: decision.decisionId,
      className: 'tp-banner',
      role: 'region',
      'aria-label': offer.headline,
      lang: offer.locale,
      'data-offer-id': offer.offerId,
      'data-decision-id': decision.decisionId,
    },
    image ? h('img', { className: 'tp-image', src: image.url, alt: image.alt, ...BANNER_IMAGE_SIZE }) : null,
    h(
      'div',
      { className: 'tp-content' },
      h('h2', { className: 'tp-headline' }, offer.headline),
      h('p', { className: 'tp-body' }, offer.body),
      h('a', { className: 'tp-cta', href: offer.cta.url, onClick }, offer.cta.label),
      decision.reason
        ? h(
            'details',
            {
              className: 'tp-why',
              onToggle: (event: { currentTarget: { open?: boolean } }) => event.currentTarget.open && onWhy?.(),
            },
            h('summary', null, text.why),
            // Focusable, as it scrolls when the explanation is longer than the banner; announced when it arrives.
            h('div', { tabIndex: 0, 'aria-live': 'polite' }, ...whyContent(h, decision.reason, explanation)),
          )
        : null,
    ),
    h(
      'button',
      { type: 'button', className: 'tp-dismiss', 'aria-label': text.dismiss, onClick: onDismiss },
      h('span', { 'aria-hidden': 'true' }, '×'),
    ),
  );
}
