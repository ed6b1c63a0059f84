import type { Catalog, JourneyStage, Offer } from '../contract/index.js';
import { type DemoProduct, type DemoSegment, trueResponseRate } from './segments.js';

/**
 * The worlds the simulator can play the demo bank in (`pnpm simulate --scenario …`). Each keeps the demo bank's
 * customers and behaviour and changes only what the engine cannot see: the true response rates, the traffic, and
 * (cold start) an offer the bank adds. The stage priors stay what they are in every world, so a world in which they are
 * wrong is a world the engine has to find out about.
 */
export const SCENARIO_NAMES = ['demo', 'wrong-priors', 'change', 'cold-start', 'weekly'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface TrueRateInput {
  readonly segment: DemoSegment;
  readonly offer: Offer;
  /** The customer's journey in the offer's product: stage and days since its last touchpoint. */
  readonly journey: { readonly stage: JourneyStage; readonly daysSince: number } | undefined;
  /** Days since the simulation began (fractional). */
  readonly day: number;
  readonly at: Date;
}

export interface Scenario {
  readonly name: ScenarioName;
  /** One line for the table and the chart. */
  readonly summary: string;
  /** The catalog the bank runs in this world: the one given, plus any offer the world brings in. */
  catalog(base: Catalog, start: Date): Catalog;
  /** Multiplies each customer's chance of visiting on the day of `at` (1: the demo bank's traffic). */
  traffic(at: Date): number;
  /** The hidden true chance that showing the offer now converts. */
  rate(input: TrueRateInput): number;
  /** The segment and offer the scenario's goal looks at, and the day its event happens. */
  readonly focus?: { readonly segment: DemoSegment; readonly day: number; readonly offer?: string };
}

const DAY_MS = 86_400_000;
const base = ({ segment, offer, journey }: TrueRateInput) => trueResponseRate(segment, offer.product, journey);
const same = (catalog: Catalog) => catalog;
const flat = () => 1;

/**
 * In two of six segments the true order of the competing product offers reverses the priors' order: the offers of the
 * segment's main product — its deepest journey and highest value, so the first choice of the stage prior × value —
 * convert at a tenth of the demo rate (the customers are served by another bank for it), while the offers of the
 * products they only browse convert at three times the demo rate.
 */
const WRONG_PRIORS: Readonly<Partial<Record<DemoSegment, Readonly<Partial<Record<DemoProduct, number>>>>>> = {
  'home-buyers': { mortgage: 0.1, home_insurance: 3, savings: 3, pension: 3, investments: 3, car_loan: 3 },
  'first-car-buyers': { car_loan: 0.1, savings: 3, investments: 3, pension: 3, home_insurance: 3, mortgage: 3 },
};

/**
 * On day 30 the bank raises its savings rate: among savers the savings offers convert at four times the rate, so that
 * a savings offer is now worth more than the pension and investments offers the priors (and the value) put first.
 */
const CHANGE_DAY = 30;
const CHANGE = { segment: 'savers' as const, product: 'savings', factor: 4 };

/** On day 20 the bank adds a theme-fund offer: three times the investments rate among savers, half of it elsewhere. */
const COLD_START_DAY = 20;
export const COLD_START_OFFER = 'investments-theme-fund';
const COLD_START = { segment: 'savers' as const, inSegment: 3, elsewhere: 0.5 };

/**
 * Weekly rhythm (UTC day of week, Sunday first): the net bank is busiest early in the week and quiet at the weekend,
 * and loans (car loan, mortgage) are shopped for at the weekend while the other products convert better on weekdays.
 * Each row averages 1 over a week.
 */
const WEEKLY_TRAFFIC = [0.7, 1.3, 1.2, 1.1, 1.05, 0.95, 0.7] as const;
const WEEKLY_LOANS = [1.5, 0.8, 0.8, 0.8, 0.8, 0.8, 1.5] as const;
const WEEKLY_OTHERS = [0.75, 1.1, 1.1, 1.1, 1.1, 1.1, 0.75] as const;

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  demo: {
    name: 'demo',
    summary: 'the demo bank: true rates agree with the stage priors in every segment',
    catalog: same,
    traffic: flat,
    rate: base,
  },
  'wrong-priors': {
    name: 'wrong-priors',
    summary:
      'home buyers and first-car buyers: their main product converts at 0.1x, the products they browse at 3x (the priors order them the other way)',
    catalog: same,
    traffic: flat,
    rate: (input) => {
      const factors = WRONG_PRIORS[input.segment];
      const factor = input.offer.product === null ? 1 : (factors?.[input.offer.product as DemoProduct] ?? 1);
      return Math.min(1, base(input) * factor);
    },
  },
  change: {
    name: 'change',
    summary: `on day ${CHANGE_DAY} the savers' savings offers rise to ${CHANGE.factor}x (the bank raises its savings rate)`,
    catalog: same,
    traffic: flat,
    rate: (input) =>
      input.day >= CHANGE_DAY && input.segment === CHANGE.segment && input.offer.product === CHANGE.product
        ? Math.min(1, base(input) * CHANGE.factor)
        : base(input),
    focus: { segment: CHANGE.segment, day: CHANGE_DAY },
  },
  'cold-start': {
    name: 'cold-start',
    summary: `on day ${COLD_START_DAY} a new investments offer enters, ${COLD_START.inSegment}x the investments rate among savers`,
    catalog: (catalog, start) => ({
      ...catalog,
      offers: [...catalog.offers, coldStartOffer(catalog, new Date(start.getTime() + COLD_START_DAY * DAY_MS))],
    }),
    traffic: flat,
    rate: (input) =>
      input.offer.id === COLD_START_OFFER
        ? Math.min(
            1,
            base(input) * (input.segment === COLD_START.segment ? COLD_START.inSegment : COLD_START.elsewhere),
          )
        : base(input),
    focus: { segment: COLD_START.segment, day: COLD_START_DAY, offer: COLD_START_OFFER },
  },
  weekly: {
    name: 'weekly',
    summary:
      'traffic by day of week (busy Monday, quiet weekend); loans convert better at the weekend, the rest on weekdays',
    catalog: same,
    traffic: (at) => WEEKLY_TRAFFIC[at.getUTCDay()] as number,
    rate: (input) => {
      const weekday = input.at.getUTCDay();
      const loan = input.offer.product === 'car_loan' || input.offer.product === 'mortgage';
      const factor = input.offer.product === null ? 1 : ((loan ? WEEKLY_LOANS : WEEKLY_OTHERS)[weekday] as number);
      return Math.min(1, base(input) * factor);
    },
  },
};

/**
 * The new offer of the cold-start world: the investments starter offer's placements, stages and value under a new id,
 * valid from the day it enters. Its prior is the incumbent's, and it sorts after it, so the stage prior never prefers it.
 */
function coldStartOffer(catalog: Catalog, from: Date): Offer {
  const incumbent = catalog.offers.find((offer) => offer.id === 'investments-start');
  if (!incumbent) throw new Error('[touchpoint] the cold-start world needs the investments-start offer in the catalog');
  const content = (lang: 'da' | 'en', headline: string) => ({ ...incumbent.content[lang], headline });
  return {
    ...incumbent,
    id: COLD_START_OFFER,
    validFrom: from.toISOString(),
    content: { da: content('da', 'Invester i et temafond'), en: content('en', 'Invest in a theme fund') },
  };
}
