import { STAFF_ROLES, type StaffRole } from '../contract/index.js';

/**
 * A workflow as data: each transition names the status it leaves, the action, the status it reaches and who may
 * take it. The workflows (offer versions, the experiment lifecycle) look their steps up here and add their own
 * guards (four eyes, a stale revision); routes only load, call and store.
 */
export interface Transition<S extends string, A extends string, W extends string> {
  readonly from: S;
  readonly action: A;
  readonly to: S;
  readonly who: readonly W[];
}

/** Why a step may not be taken, named so the caller can answer it (409 for a status, 403 for a person). */
export interface Refusal {
  readonly kind: 'wrong-status' | 'not-allowed' | 'four-eyes' | 'underpowered' | 'layer-full';
  readonly message: string;
}

/** The transition the action takes from the status, if the actor (by any of their roles) may take it. */
export function transitionOf<S extends string, A extends string, W extends string>(
  table: readonly Transition<S, A, W>[],
  from: S,
  action: A,
  roles: readonly W[],
  wrongStatus: (status: S) => string,
): Transition<S, A, W> | { readonly refusal: Refusal } {
  const forAction = table.filter((t) => t.action === action);
  const allowed = forAction.filter((t) => t.who.some((who) => roles.includes(who)));
  if (allowed.length === 0) {
    return {
      refusal: { kind: 'not-allowed', message: `Only ${forAction.flatMap((t) => t.who).join(' or ')} may ${action}.` },
    };
  }
  const found = allowed.find((t) => t.from === from);
  return found ?? { refusal: { kind: 'wrong-status', message: wrongStatus(from) } };
}

/** Who takes a step: a staff member by their roles (admin holds them all), or the system. */
export interface Actor {
  /** The staff member's id, or `touchpoint` for the system. */
  readonly id: string;
  readonly roles: readonly (StaffRole | 'system')[];
}

/** The system, as the actor of what no person decided (a breached guardrail, the version a publish replaces). */
export const SYSTEM: Actor = { id: 'touchpoint', roles: ['system'] };

export function staffActor(member: { readonly id: string; readonly roles: readonly StaffRole[] }): Actor {
  return { id: member.id, roles: member.roles.includes('admin') ? STAFF_ROLES : member.roles };
}

/** Who may take the action in the table. */
export function whoMay<S extends string, A extends string, W extends string>(
  table: readonly Transition<S, A, W>[],
  action: A,
): W[] {
  return [...new Set(table.filter((t) => t.action === action).flatMap((t) => t.who))];
}
