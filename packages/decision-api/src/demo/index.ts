export { type FeaturedDemoCustomer, featuredDemoCustomers } from './featured.js';
export {
  DEMO_SEED,
  type DemoBank,
  type DemoBankOptions,
  type DemoCustomer,
  type DemoTouchpoint,
  generateDemoBank,
} from './generator.js';
export { createRandom, type Random } from './random.js';
export {
  DEMO_PRODUCTS,
  DEMO_SEGMENTS,
  type DemoProduct,
  type DemoSegment,
  PRODUCT_PAGES,
  SEGMENT_BEHAVIOUR,
  SEGMENT_PROPENSITY,
} from './segments.js';
