import type * as contract from '@touchpoint/decision-api/contract';
import { describe, expectTypeOf, it } from 'vitest';
import type * as wire from '../src/wire.js';

// The SDK publishes plain copies of the contract's types (src/wire.ts) so its users need not install the server.
// These assertions are checked by `pnpm typecheck` (this file is in the package's tsconfig) and fail on any drift.
describe('the wire types the SDK publishes', () => {
  it('are exactly the decision API contract’s types', () => {
    expectTypeOf<wire.Channel>().toEqualTypeOf<contract.Channel>();
    expectTypeOf<wire.Locale>().toEqualTypeOf<contract.Locale>();
    expectTypeOf<wire.TouchpointType>().toEqualTypeOf<contract.TouchpointType>();
    expectTypeOf<wire.Touchpoint>().toEqualTypeOf<contract.Touchpoint>();
    expectTypeOf<wire.OfferContent>().toEqualTypeOf<contract.OfferContent>();
    expectTypeOf<wire.PlacementDecision>().toEqualTypeOf<contract.PlacementDecision>();
    expectTypeOf<wire.WhyExplanation>().toEqualTypeOf<contract.WhyExplanation>();
  });
});
