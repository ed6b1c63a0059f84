// GrowthBook's JavaScript quick start (README "Quick Usage"): create the instance, wait for features, evaluate.
import { GrowthBook } from '@growthbook/growthbook';

const gb = new GrowthBook({
  apiHost: 'https://cdn.growthbook.io',
  clientKey: 'sdk-abc123',
  enableDevMode: true,
  subscribeToChanges: true,
  attributes: { id: '123', country: 'US' },
  trackingCallback: (experiment, result, user) => {
    console.log('Experiment Viewed', {
      experimentId: experiment.key,
      variationId: result.key,
      attributes: user?.attributes,
    });
  },
});
await gb.init();
if (gb.isOn('my-feature')) console.log('Feature enabled!');
console.log(gb.getFeatureValue('button-color', 'blue'));
