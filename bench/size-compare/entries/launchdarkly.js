// LaunchDarkly's JavaScript client-side SDK quick start: initialize with a context, wait, read a flag.
import * as LDClient from 'launchdarkly-js-client-sdk';

const context = { kind: 'user', key: 'context-key-123abc' };
const client = LDClient.initialize('client-side-id-123abc', context);
await client.waitForInitialization(5);
console.log(client.variation('flag-key-123abc', false));
