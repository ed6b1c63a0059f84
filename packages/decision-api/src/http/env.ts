import type { SiteKey } from '../config.js';
import type { StaffMember } from './staff-token.js';

export interface AppEnv {
  Variables: {
    siteKey: SiteKey;
    /** The verified customer token's subject, or null for an anonymous request. */
    customerId: string | null;
    /** On partner routes: the partner whose signature the request carries. */
    partnerId: string;
    /** On staff routes: the signed-in staff member. */
    staff: StaffMember;
  };
}
