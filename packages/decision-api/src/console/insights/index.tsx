import type { ReactNode } from 'react';
import { can, type Role, type StaffMember } from '../api.js';
import { AdvisorQueuePage, AdvisorRatesPage } from './advisors.js';
import { ClustersPage } from './clusters.js';
import { KpiPage } from './kpis.js';
import './insights.css';

/** The insight sections of the console's navigation, by the roles the API lets through. */
export const INSIGHT_SECTIONS: ReadonlyArray<{ route: string; label: string; roles: Role[] }> = [
  { route: '/clusters', label: 'Clusters', roles: ['viewer', 'marketer'] },
  { route: '/kpis', label: 'Offer KPIs', roles: ['viewer', 'marketer', 'approver'] },
  { route: '/queue', label: 'Advisor queue', roles: ['advisor'] },
  { route: '/advisors', label: 'Advisor action rate', roles: ['viewer', 'approver'] },
];

/** The insight page for a route, or null when the route is not one of them (or not for this staff member). */
export function insightPage(route: string, staff: StaffMember): ReactNode | null {
  if (route === '/clusters' && can(staff, 'viewer', 'marketer')) return <ClustersPage staff={staff} />;
  if (route === '/kpis' && can(staff, 'viewer', 'marketer', 'approver')) return <KpiPage />;
  if (route === '/queue' && can(staff, 'advisor')) return <AdvisorQueuePage staff={staff} />;
  if (route === '/advisors' && can(staff, 'viewer', 'approver')) return <AdvisorRatesPage />;
  // An advisor's console opens on their queue.
  if (!can(staff, 'viewer', 'marketer', 'approver') && can(staff, 'advisor')) return <AdvisorQueuePage staff={staff} />;
  return null;
}
