import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, can, type Role, type StaffMember } from './api.js';
import { AuditPage } from './audit.js';
import { ComparePage } from './experiments/compare.js';
import { ExperimentDetail } from './experiments/detail.js';
import { ExperimentForm } from './experiments/form.js';
import { ExperimentList } from './experiments/list.js';
import { INSIGHT_SECTIONS, insightPage } from './insights/index.js';
import { NewOfferPage, OfferPage } from './offers/detail.js';
import { OfferList } from './offers/list.js';
import { Heading } from './page-parts.js';
import { PreviewPage } from './preview-page.js';
import { SignIn } from './sign-in.js';
import { useRoute } from './use-route.js';

interface Section {
  readonly route: string;
  readonly label: string;
  readonly roles: Role[];
}

/** Navigation by role: a section appears only for the roles the API lets through. */
const SECTIONS: Section[] = [
  { route: '/preview', label: 'Preview', roles: ['viewer', 'marketer', 'approver'] },
  { route: '/experiments', label: 'Experiments', roles: ['viewer', 'marketer', 'approver'] },
  { route: '/experiments/new', label: 'New experiment', roles: ['marketer'] },
  { route: '/compare', label: 'Compare by principle', roles: ['viewer', 'marketer', 'approver'] },
  { route: '/offers', label: 'Offers', roles: ['viewer', 'marketer', 'approver'] },
  { route: '/audit', label: 'Audit log', roles: ['viewer', 'approver'] },
  ...INSIGHT_SECTIONS,
];

export function App() {
  const [staff, setStaff] = useState<StaffMember | null | undefined>(undefined);

  useEffect(() => {
    api<StaffMember>('GET', '/v1/admin/me')
      .then(setStaff)
      .catch(() => setStaff(null));
  }, []);

  const signOut = useCallback(async () => {
    await api('DELETE', '/v1/admin/session').catch(() => undefined);
    setStaff(null);
  }, []);

  if (staff === undefined) return <p className="loading">Loading…</p>;
  if (staff === null) return <SignIn onSignedIn={setStaff} />;
  return <Shell staff={staff} onSignOut={signOut} onExpired={() => setStaff(null)} />;
}

function Shell({ staff, onSignOut, onExpired }: { staff: StaffMember; onSignOut(): void; onExpired(): void }) {
  const route = useRoute();
  const sections = SECTIONS.filter((section) => can(staff, ...section.roles));
  const current =
    [...sections].sort((a, b) => b.route.length - a.route.length).find((s) => route.startsWith(s.route)) ?? null;

  // A session that ended elsewhere (expired, signed out in another tab) returns to the sign-in page.
  useEffect(() => {
    const onRejection = (event: PromiseRejectionEvent) => {
      if (event.reason instanceof ApiError && event.reason.status === 401) onExpired();
    };
    window.addEventListener('unhandledrejection', onRejection);
    return () => window.removeEventListener('unhandledrejection', onRejection);
  }, [onExpired]);

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Touchpoint console</span>
        <span className="who" data-testid="who">
          {staff.displayName ?? staff.id} · {staff.roles.join(', ')}
          {staff.branch ? ` · ${staff.branch}` : ''}
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console sections" className="nav">
        <ul>
          {sections.map((section) => (
            <li key={section.route}>
              <a
                href={`#${section.route}`}
                aria-current={current?.route === section.route ? 'page' : undefined}
                data-testid={`nav-${section.route.slice(1).replaceAll('/', '-')}`}
              >
                {section.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main">
        <Page route={route} staff={staff} allowed={sections.length > 0} />
      </main>
    </div>
  );
}

function Page({ route, staff, allowed }: { route: string; staff: StaffMember; allowed: boolean }) {
  if (!allowed) {
    return (
      <Heading title="Nothing here for your role yet">
        <p>The console’s sections so far are for marketing, approvers, viewers and admins.</p>
      </Heading>
    );
  }
  const insight = insightPage(route, staff);
  if (insight) return insight;
  if (route === '/experiments/new' && can(staff, 'marketer')) return <ExperimentForm />;
  const detail = /^\/experiments\/([0-9a-f-]{36})$/.exec(route);
  if (detail?.[1]) return <ExperimentDetail id={detail[1]} staff={staff} />;
  if (route === '/compare' && can(staff, 'viewer', 'marketer', 'approver')) return <ComparePage />;
  if (route === '/audit' && can(staff, 'viewer', 'approver')) return <AuditPage />;
  const offer = route.startsWith('/offers') ? offerRoute(route, staff) : null;
  if (offer) return offer;
  if (route === '/preview' && can(staff, 'viewer', 'marketer', 'approver')) return <PreviewPage />;
  if (can(staff, 'viewer', 'marketer', 'approver')) return <ExperimentList staff={staff} />;
  return <AuditPage />;
}

/** The offer pages: the list, a new offer, one offer (its editor, preview, approval and history). */
function offerRoute(route: string, staff: StaffMember): React.ReactNode {
  if (route === '/offers/new' && can(staff, 'marketer')) return <NewOfferPage />;
  if (!can(staff, 'viewer', 'marketer', 'approver')) return null;
  const id = /^\/offers\/([a-z][a-z0-9_-]{0,63})$/.exec(route)?.[1];
  return id ? <OfferPage key={id} id={id} staff={staff} /> : <OfferList staff={staff} />;
}
