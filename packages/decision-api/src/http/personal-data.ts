import { findPersonalData, type PersonalDataFinding, personalDataMessage } from '../domain/personal-data.js';
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
