// `setup` end to end: discover -> plan -> (apply). Returns one report the command prints as text or JSON.
import { CliError, ExitCode } from '../errors.js';
import { renderPolicy } from '../policy/render.js';
import { apply, ApplyError, type ApplyResult } from './apply.js';
import { parseAvatarsFlag } from './avatars.js';
import { desiredFrom, namesFrom, policyOptionsFrom, type SetupOptions } from './desired.js';
import { discover } from './discover.js';
import { isPending, plan } from './plan.js';
import { readPolicyConfig } from './policy-config.js';
import type { Action, Desired, Plan, RequestCounts, SetupApi, Snapshot } from './types.js';

export type RunMode = 'apply' | 'dry-run' | 'check';

export interface SetupReport {
  command: 'setup';
  authentik: { version: string };
  mode: RunMode;
  plan: Plan;
  pending: boolean;
  result: ApplyResult | null;
  /** Set when applying failed part-way (result then lists what was done before). */
  failure?: ApplyError;
  requests: RequestCounts & { discovery: number; apply: number };
}

/** Fails on bad flags before any request is sent. */
export function validateSetupOptions(o: SetupOptions): void {
  namesFrom(o);
  if (o.avatars !== undefined) parseAvatarsFlag(o.avatars);
  // with --store the policy options are complete now; without, they may inherit the installed policy's
  if (o.store !== undefined) renderPolicy(policyOptionsFrom(o));
  else if (o.storeDir !== undefined || o.publicUrl !== undefined) policyOptionsFrom(o);
  if (o.maxBytes !== undefined && o.maxBytes < 1024) throw new CliError('--max-bytes must be at least 1024', ExitCode.USAGE);
}

/** Discovery targets of setup (adoption on). */
export async function discoverForSetup(api: SetupApi, o: SetupOptions): Promise<Snapshot> {
  return discover(api, { names: namesFrom(o), userSettings: true, flows: o.flows ?? [], adoption: true });
}

/** The desired state for a snapshot: the installed policy (ours) lends its options when --store is not given. */
export function desiredFor(snap: Snapshot, o: SetupOptions): Desired {
  const installed = [snap.policy, ...snap.policyCandidates].find((p) => p && readPolicyConfig(p.expression));
  return desiredFrom(o, namesFrom(o), installed);
}

export function planFor(snap: Snapshot, o: SetupOptions): Plan {
  return plan(snap, desiredFor(snap, o));
}

export async function runSetup(api: SetupApi, o: SetupOptions, mode: RunMode, onStep?: (a: Action) => void): Promise<SetupReport> {
  validateSetupOptions(o);
  const start = api.stats.total;
  const snap = await discoverForSetup(api, o);
  const p = planFor(snap, o);
  const pending = isPending(p);
  const afterDiscovery = api.stats.total;
  let result: ApplyResult | null = null;
  let failure: ApplyError | undefined;
  if (mode === 'apply' && pending) {
    try {
      result = await apply(api, p, { ...(onStep ? { onStep } : {}), rerun: 'ak-avatars setup' });
    } catch (e) {
      if (!(e instanceof ApplyError)) throw e;
      failure = e;
      result = { applied: e.applied, verified: false };
    }
  }
  return {
    command: 'setup',
    authentik: { version: snap.version },
    mode,
    plan: p,
    pending,
    result,
    ...(failure ? { failure } : {}),
    requests: { ...api.stats, discovery: afterDiscovery - start, apply: api.stats.total - afterDiscovery },
  };
}
