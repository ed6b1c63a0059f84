/** What bank staff may do. A staff member holds one or more roles. */
export const STAFF_ROLES = ['viewer', 'marketer', 'approver', 'advisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
