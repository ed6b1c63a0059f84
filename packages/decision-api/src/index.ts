export { createTouchpointApp, type TouchpointApp, type TouchpointAppOptions } from './app.js';
export {
  type ApiConfig,
  type ApiConfigInput,
  configFromEnv,
  DEMO_CONFIG,
  DEMO_CUSTOMER_TOKEN_SECRET,
  DEMO_PARTNER_SECRET,
  DEMO_STAFF_DIRECTORY,
  DEMO_STAFF_TOKEN_SECRET,
} from './config.js';
export * from './contract/index.js';
export { featuredDemoCustomers, generateDemoBank } from './demo/index.js';
export { seedDemoBank } from './demo/seed.js';
export { type DecideInput, decide, type PlacementOutcome } from './domain/decision/decide.js';
export { mintCustomerToken } from './http/customer-token.js';
export { mintStaffToken, STAFF_ROLES, type StaffMember, type StaffRole } from './http/staff-token.js';
export { type OpenStoreOptions, openStore } from './store/open.js';
export type { Store } from './store/store.js';
