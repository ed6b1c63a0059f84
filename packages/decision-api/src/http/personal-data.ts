import {
  detectPersonalDataInId,
  findPersonalData,
  type PersonalDataFinding,
  personalDataMessage,
} from '../domain/privacy/personal-data.js';
import { ProblemError } from './problem.js';

/** Problem entries naming each field and the kind of data, never the value. */
export function personalDataErrors(findings: readonly PersonalDataFinding[]) {
  return findings.map((finding) => ({ path: finding.path, message: personalDataMessage(finding) }));
}

/** Refuses the whole request when any field of `value` looks like personal data: nothing of it is stored or logged. */
export function refusePersonalData(value: unknown, prefix = ''): void {
  const findings = findPersonalData(value, prefix);
  if (findings.length === 0) return;
  throw new ProblemError(
    422,
    'personal-data',
    'The request carries personal data',
    'Touchpoint accepts no direct identifiers (e-mail addresses, phone, CPR or account numbers, IBANs); see errors for each field.',
    personalDataErrors(findings),
  );
}

/** Findings for pseudonymous ids by their JSON Pointer (a path parameter, a body field): e-mail and CPR shapes only. */
export function findPersonalDataInIds(ids: Readonly<Record<string, string>>): PersonalDataFinding[] {
  return Object.entries(ids).flatMap(([path, id]) =>
    detectPersonalDataInId(id).map((kind) => ({ path, kind, in: 'value' as const })),
  );
}

/** Refuses a request naming a pseudonymous id that looks like an e-mail address or a CPR number, with 422. */
export function refusePersonalDataInIds(ids: Readonly<Record<string, string>>): void {
  const findings = findPersonalDataInIds(ids);
  if (findings.length === 0) return;
  throw new ProblemError(
    422,
    'personal-data',
    'The request carries personal data',
    'A pseudonymous id is never an e-mail address or a CPR number; see errors for each field.',
    personalDataErrors(findings),
  );
}
