// What setup and teardown share once they have a plan: apply it (in apply mode, when something is
// pending), turn a part-way failure into part of the report, and count the requests of each phase.
import { apply, ApplyError, type ApplyOptions, type ApplyResult } from './apply.js';
import { isPending } from './plan.js';
import type { Plan, RequestCounts, SetupApi } from './types.js';

export type RunMode = 'apply' | 'dry-run' | 'check';

/** What `setup` and `teardown` return; the command prints it as text or JSON. */
export interface RunReport<C extends 'setup' | 'teardown'> {
  command: C;
  authentik: { version: string };
  mode: RunMode;
  plan: Plan;
  pending: boolean;
  result: ApplyResult | null;
  /** Set when applying failed part-way (result then lists what was done before). */
  failure?: ApplyError;
  requests: RequestCounts & { discovery: number; apply: number };
}

export interface Planned {
  /** The authentik version discovery found. */
  version: string;
  plan: Plan;
  /** api.stats.total before discovery started (the request counts of the report start there). */
  start: number;
}

/**
 * Applies a planned run (only in apply mode and only when something is pending) and reports it.
 * `beforeApply` runs right before the first write and may throw to cancel (teardown's confirmation).
 */
export async function applyPlanned<C extends 'setup' | 'teardown'>(
  api: SetupApi,
  command: C,
  mode: RunMode,
  planned: Planned,
  opts: Omit<ApplyOptions, 'rerun'> = {},
  beforeApply?: () => Promise<void>,
): Promise<RunReport<C>> {
  const { plan, start } = planned;
  const pending = isPending(plan);
  const afterDiscovery = api.stats.total;
  let result: ApplyResult | null = null;
  let failure: ApplyError | undefined;
  if (mode === 'apply' && pending) {
    await beforeApply?.();
    try {
      result = await apply(api, plan, { ...opts, rerun: `ak-avatars ${command}` });
    } catch (e) {
      if (!(e instanceof ApplyError)) throw e;
      failure = e;
      result = { applied: e.applied, verified: false };
    }
  }
  return {
    command,
    authentik: { version: planned.version },
    mode,
    plan,
    pending,
    result,
    ...(failure ? { failure } : {}),
    requests: { ...api.stats, discovery: afterDiscovery - start, apply: api.stats.total - afterDiscovery },
  };
}
