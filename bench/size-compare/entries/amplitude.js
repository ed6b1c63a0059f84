// Amplitude Experiment's JavaScript client quick start: initialize, fetch variants for a user, read one.
import { Experiment } from '@amplitude/experiment-js-client';

const experiment = Experiment.initialize('DEPLOYMENT_KEY');
await experiment.fetch({ user_id: 'user@company.com', device_id: 'abcdefg' });
const variant = experiment.variant('FLAG_KEY');
if (variant.value === 'on') console.log('on');
