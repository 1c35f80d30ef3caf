// `setup` end to end: discover -> plan -> (apply). Returns one report the command prints as text or JSON.
import { CliError, ExitCode } from '../errors.js';
import { renderPolicy } from '../policy/render.js';
import { parseAvatarsFlag } from './avatars.js';
import { desiredFrom, namesFrom, policyOptionsFrom, type SetupOptions } from './desired.js';
import { discover } from './discover.js';
import { plan } from './plan.js';
import { readPolicyConfig } from './policy-config.js';
import { applyPlanned, type RunMode, type RunReport } from './report.js';
import type { Action, Desired, Plan, SetupApi, Snapshot } from './types.js';

export type { RunMode };
export type SetupReport = RunReport<'setup'>;

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
  return applyPlanned(api, 'setup', mode, { version: snap.version, plan: planFor(snap, o), start }, onStep ? { onStep } : {});
}
