import { JOURNEY_STAGES, type JourneyStage, type Locale, type Product } from '../../contract/index.js';
import { type JourneyTouchpointType, stageForTouchpoint } from '../journeys/journey.js';

/** A decision as the customer may see it explained: never its scores or the other candidates. */
export interface ExplainedDecision {
  readonly id: string;
  readonly offerId: string | null;
  readonly locale: string;
  readonly reason: string;
  readonly createdAt: Date;
  /** The stored trace; only the journey stage of the offer's product is read from it. */
  readonly trace: unknown;
}

export interface HistoryTouchpoint {
  readonly type: string;
  readonly occurredAt: string;
  readonly channel: string;
  readonly product: string | null;
  readonly page: string | null;
}

export interface WhyInput {
  readonly decision: ExplainedDecision;
  /** The product of the decision's offer, when the offer is about one. */
  readonly product: Product | undefined;
  /** The customer's touchpoints before the decision, in any order. */
  readonly history: readonly HistoryTouchpoint[];
  readonly productOfPage: (page: string) => string | undefined;
}

export interface WhyExplanation {
  readonly decisionId: string;
  readonly locale: Locale;
  readonly offerId: string | null;
  readonly reason: string;
  readonly journey: { readonly product: string; readonly stage: JourneyStage; readonly description: string } | null;
  readonly touchpoints: ReadonlyArray<{ readonly at: string; readonly description: string }>;
  readonly optOut: string;
}

/** At most this many touchpoints are told, the latest ones: enough to recognise, few enough to read. */
export const MAX_EXPLAINED_TOUCHPOINTS = 5;

/**
 * "Why am I seeing this?" for one decision, in the decision's language: the reason it gave, where the customer is on
 * the product's journey, the touchpoints on that journey that led there, in plain words, and how to opt out.
 */
export function explainDecision({ decision, product, history, productOfPage }: WhyInput): WhyExplanation {
  const locale: Locale = decision.locale === 'da' ? 'da' : 'en';
  const stage = product ? stageOfTrace(decision.trace, product.id) : undefined;
  const name = product ? product.name[locale].toLocaleLowerCase(locale) : '';
  const led = product
    ? history
        .filter((touchpoint) => Date.parse(touchpoint.occurredAt) <= decision.createdAt.getTime())
        .filter((touchpoint) => stageForTouchpoint(touchpoint.type as JourneyTouchpointType) !== undefined)
        .filter(
          (touchpoint) =>
            (touchpoint.product ?? (touchpoint.page ? productOfPage(touchpoint.page) : undefined)) === product.id,
        )
        .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))
        .slice(-MAX_EXPLAINED_TOUCHPOINTS)
    : [];
  return {
    decisionId: decision.id,
    locale,
    offerId: decision.offerId,
    reason: decision.reason,
    journey:
      product && stage
        ? { product: product.name[locale], stage, description: describeStage(locale, stage, name) }
        : null,
    touchpoints: led.map((touchpoint) => ({
      at: new Date(touchpoint.occurredAt).toISOString(),
      description: describeTouchpoint(locale, touchpoint, name),
    })),
    optOut: OPT_OUT[locale],
  };
}

function stageOfTrace(trace: unknown, productId: string): JourneyStage | undefined {
  const stages = (trace as { stages?: Record<string, unknown> } | null)?.stages;
  const stage = stages?.[productId];
  return JOURNEY_STAGES.find((known) => known === stage);
}

const OPT_OUT: Record<Locale, string> = {
  en: 'You can turn off personalised offers at any time in the privacy settings of the net bank or the mobile bank. You then see only general offers, and nothing about your visits is used. You can also download or delete what the bank keeps about your visits there.',
  da: 'Du kan til enhver tid slå personlige tilbud fra under indstillinger for privatliv i netbanken eller mobilbanken. Så ser du kun generelle tilbud, og intet om dine besøg bliver brugt. Du kan også hente eller slette det, banken gemmer om dine besøg.',
};

function describeStage(locale: Locale, stage: JourneyStage, name: string): string {
  const en: Record<JourneyStage, string> = {
    aware: `You have shown an interest in ${name}.`,
    explore: `You are looking into ${name}.`,
    compare: `You are comparing prices of ${name}.`,
    apply: `You have started an application for ${name}.`,
    sign: `Your application for ${name} is waiting to be signed.`,
    use: `You have ${name} with the bank.`,
  };
  const da: Record<JourneyStage, string> = {
    aware: `Du har vist interesse for ${name}.`,
    explore: `Du undersøger ${name}.`,
    compare: `Du sammenligner priser på ${name}.`,
    apply: `Du er begyndt på en ansøgning om ${name}.`,
    sign: `Din ansøgning om ${name} venter på underskrift.`,
    use: `Du har ${name} i banken.`,
  };
  return (locale === 'da' ? da : en)[stage];
}

function describeTouchpoint(locale: Locale, touchpoint: HistoryTouchpoint, name: string): string {
  const where =
    locale === 'da'
      ? ({ netbank: 'i netbanken', mobilebank: 'i mobilbanken' } as Record<string, string>)[touchpoint.channel]
      : ({ netbank: 'in the net bank', mobilebank: 'in the mobile bank' } as Record<string, string>)[
          touchpoint.channel
        ];
  const place = where ? ` ${where}` : '';
  const en: Record<string, string> = {
    page_view: `You visited the pages about ${name}${place}.`,
    product_view: `You looked at ${name}${place}.`,
    calculator_used: `You priced ${name}${place}.`,
    application_started: `You started an application for ${name}${place}.`,
    application_submitted: `You submitted an application for ${name}${place}.`,
    application_completed: `Your application for ${name} was completed.`,
    offer_click: `You opened an offer about ${name}${place}.`,
    external_visit: `You looked at ${name} on a partner’s website.`,
  };
  const da: Record<string, string> = {
    page_view: `Du besøgte siderne om ${name}${place}.`,
    product_view: `Du kiggede på ${name}${place}.`,
    calculator_used: `Du beregnede en pris på ${name}${place}.`,
    application_started: `Du begyndte på en ansøgning om ${name}${place}.`,
    application_submitted: `Du sendte en ansøgning om ${name}${place}.`,
    application_completed: `Din ansøgning om ${name} blev gennemført.`,
    offer_click: `Du åbnede et tilbud om ${name}${place}.`,
    external_visit: `Du kiggede på ${name} på en samarbejdspartners hjemmeside.`,
  };
  return (
    (locale === 'da' ? da : en)[touchpoint.type] ?? (locale === 'da' ? `Du besøgte ${name}.` : `You visited ${name}.`)
  );
}
