/**
 * The wire contract of the decision API: zod schemas are the single source of truth;
 * the OpenAPI document is generated from them. Browsers import the types only.
 */

export * from './advisors.js';
export * from './budgets.js';
export * from './catalog.js';
export * from './common.js';
export * from './decisions.js';
export * from './experiments.js';
export * from './kpis.js';
export * from './learning.js';
export * from './offers.js';
export * from './partner.js';
export * from './preview.js';
export * from './principles.js';
export * from './privacy.js';
export * from './protected-attributes.js';
export * from './staff.js';
export * from './touchpoints.js';
export * from './what-if.js';
