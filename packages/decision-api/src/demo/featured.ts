import type { TouchpointType } from '../contract/index.js';
import type { DemoBank, DemoCustomer } from './generator.js';
import { type DemoProduct, type DemoSegment, productOfDemoPage } from './segments.js';

export interface FeaturedDemoCustomer extends DemoCustomer {
  /** A line for the demo login screen saying what situation the customer is in. */
  readonly situation: { readonly da: string; readonly en: string };
}

interface Activity {
  touchpoints: number;
  lastAt: number;
  /** Deepest journey step per product: 0 page view … 5 application completed. */
  readonly deepest: Map<DemoProduct, number>;
}

interface Situation {
  readonly da: string;
  readonly en: string;
  readonly segment: DemoSegment;
  readonly fits: (customer: DemoCustomer, activity: Activity, latest: number) => boolean;
  /** For a bank without a customer of the segment that fits: who else may stand in, from any segment. */
  readonly standIn?: (customer: DemoCustomer, activity: Activity) => boolean;
}

type Fit = (customer: DemoCustomer, activity: Activity) => boolean;

const STEP_OF: Partial<Record<TouchpointType, number>> = {
  page_view: 0,
  product_view: 1,
  calculator_used: 2,
  application_started: 3,
  application_submitted: 4,
  application_completed: 5,
};
const DAY_MS = 86_400_000;

/** The first situation starts the end-to-end story: a customer with no car-loan interest who then prices a car loan. */
const SITUATIONS: readonly Situation[] = [
  {
    segment: 'savers',
    da: 'Sparer fast op og har aldrig kigget på billån.',
    en: 'A regular saver who has never looked at a car loan.',
    fits: (customer, activity) =>
      [...activity.deepest.keys()].every((product) => product === 'savings') &&
      activity.touchpoints >= 8 &&
      activity.touchpoints <= 40 &&
      !customer.productsHeld.includes('car_loan'),
    standIn: (customer, activity) => !activity.deepest.has('car_loan') && !customer.productsHeld.includes('car_loan'),
  },
  {
    segment: 'first-car-buyers',
    da: 'Har startet en ansøgning om billån, men ikke gjort den færdig.',
    en: 'Started a car-loan application and stopped halfway.',
    fits: (_, activity) => activity.deepest.get('car_loan') === 3,
  },
  {
    segment: 'home-buyers',
    da: 'På boligjagt: har regnet på et boliglån.',
    en: 'House hunting: has priced a mortgage.',
    fits: (customer, activity) => activity.deepest.get('mortgage') === 2 && !customer.productsHeld.includes('mortgage'),
  },
  {
    segment: 'pre-retirees',
    da: 'Tæt på pension og læser op på udbetalingen.',
    en: 'Close to retirement and reading up on the payout.',
    fits: (customer, activity) =>
      customer.productsHeld.includes('pension') && [1, 2].includes(activity.deepest.get('pension') ?? -1),
  },
  {
    segment: 'active-investors',
    da: 'Følger sine investeringer i appen næsten hver dag.',
    en: 'Follows their investments in the app almost every day.',
    fits: (customer, activity, latest) =>
      customer.productsHeld.includes('investments') &&
      customer.channelMix.mobilebank >= 0.6 &&
      activity.touchpoints >= 30 &&
      latest - activity.lastAt <= 3 * DAY_MS,
  },
  {
    segment: 'dormant',
    da: 'Logger sjældent på; sidste besøg er flere uger siden.',
    en: 'Rarely logs in; the last visit was weeks ago.',
    fits: (_, activity, latest) => activity.touchpoints <= 3 && latest - activity.lastAt >= 45 * DAY_MS,
  },
];

/**
 * Six customers for the example apps' login screen, each in a different situation, chosen deterministically (the
 * lowest id that fits). None is flagged vulnerable or in arrears. The first has no car-loan touchpoints and no car
 * loan. A bank too small to have a fitting customer for a situation gives fewer (none without a first).
 */
export function featuredDemoCustomers(bank: DemoBank): FeaturedDemoCustomer[] {
  const activities = new Map<string, Activity>();
  let latest = 0;
  for (const touchpoint of bank.touchpoints) {
    const at = Date.parse(touchpoint.occurredAt);
    latest = Math.max(latest, at);
    const activity = activities.get(touchpoint.customerId) ?? { touchpoints: 0, lastAt: 0, deepest: new Map() };
    activity.touchpoints++;
    activity.lastAt = Math.max(activity.lastAt, at);
    const product = (touchpoint.product as DemoProduct | undefined) ?? productOfDemoPage(touchpoint.page ?? '');
    const step = STEP_OF[touchpoint.type];
    if (product && step !== undefined)
      activity.deepest.set(product, Math.max(activity.deepest.get(product) ?? -1, step));
    activities.set(touchpoint.customerId, activity);
  }

  const chosen = new Set<string>();
  const find = (fit: Fit) =>
    bank.customers.find((candidate) => {
      const activity = activities.get(candidate.id);
      return (
        !candidate.flags.vulnerable &&
        !candidate.flags.arrears &&
        !chosen.has(candidate.id) &&
        activity !== undefined &&
        fit(candidate, activity)
      );
    });
  const featured: FeaturedDemoCustomer[] = [];
  for (const situation of SITUATIONS) {
    const customer =
      find(
        (candidate, activity) => candidate.segment === situation.segment && situation.fits(candidate, activity, latest),
      ) ?? (situation.standIn ? find(situation.standIn) : undefined);
    if (!customer) {
      // Without the first situation there is no story to start: featuring others first would mislead.
      if (featured.length === 0) return [];
      continue;
    }
    chosen.add(customer.id);
    featured.push({ ...customer, situation: { da: situation.da, en: situation.en } });
  }
  return featured;
}
