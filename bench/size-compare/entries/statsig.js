// Statsig's JavaScript SDK quick start (@statsig/js-client, precomputed evaluations): initialize, check a gate.
import { StatsigClient } from '@statsig/js-client';

const client = new StatsigClient('client-KEY', { userID: 'a-user' }, { environment: { tier: 'development' } });
await client.initializeAsync();
if (client.checkGate('check_user')) console.log('passed');
console.log(client.getExperiment('an_experiment').get('a_param', 'fallback'));
