import type { Experiment } from '../contract/index.js';
import { experimentTransition, summariseResults } from '../domain/experiments/experiments.js';
import { SYSTEM } from '../domain/workflow.js';
import type { Services } from '../http/services.js';

/** Stops a running experiment whose guardrail broke; recorded as done by the system. */
export async function stopForGuardrail(
  services: Services,
  experiment: Experiment,
  breach: string,
): Promise<Experiment> {
  const result = experimentTransition(experiment, { action: 'guardrail-stop', breach }, SYSTEM, services.now());
  if ('refusal' in result) return experiment;
  const { next } = result;
  const ok = await services.store.experiments.update(
    next,
    'running',
    { staffId: 'touchpoint', action: 'guardrail-stop', detail: { breach } },
    { staffId: 'touchpoint', action: 'experiment.guardrail-stop' },
  );
  await services.experiments.reload();
  return ok ? next : ((await services.store.experiments.get(experiment.id)) ?? next);
}

/** Checks every running experiment's guardrails; run periodically, so a breach stops an experiment nobody looks at. */
export async function checkGuardrails(services: Services): Promise<string[]> {
  const stopped: string[] = [];
  for (const experiment of await services.store.experiments.running()) {
    const summary = summariseResults(experiment, await services.store.experiments.unitCohorts(experiment));
    if (summary.guardrailBreach) {
      await stopForGuardrail(services, experiment, summary.guardrailBreach);
      stopped.push(experiment.id);
    }
  }
  return stopped;
}
