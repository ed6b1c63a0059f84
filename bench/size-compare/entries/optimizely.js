// Optimizely Feature Experimentation's JavaScript SDK (v6) quick start for the browser: polling config manager,
// batch event processor, ODP manager, then a user context and a decision.
import {
  createBatchEventProcessor,
  createInstance,
  createOdpManager,
  createPollingProjectConfigManager,
} from '@optimizely/optimizely-sdk';

const optimizely = createInstance({
  projectConfigManager: createPollingProjectConfigManager({ sdkKey: 'YOUR_SDK_KEY', autoUpdate: true }),
  eventProcessor: createBatchEventProcessor(),
  odpManager: createOdpManager(),
});
await optimizely.onReady();
const user = optimizely.createUserContext('user123', { logged_in: true });
console.log(user.decide('product_sort').variationKey);
