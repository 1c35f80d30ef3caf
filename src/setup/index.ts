// src/setup: plain functions behind `setup`, `status` and `teardown` (no commander, no process, no chalk).
export { apply, ApplyError, type ApplyResult, type AppliedStep } from './apply.js';
export { AVATAR_MODE, desiredAvatars, mergeAvatars, parseAvatarsFlag, parseModes, removeAvatarMode } from './avatars.js';
export { defaultBlueprintInput, liveBlueprintInput, renderBlueprint, type BlueprintInput } from './blueprint.js';
export { DEFAULTS, desiredFrom, namesFrom, policyOptionsFrom, type SetupOptions } from './desired.js';
export { discover } from './discover.js';
export { formatAction, formatPlan, planJson, type Paint } from './format.js';
export { isPending, plan } from './plan.js';
export { desiredFor, discoverForSetup, planFor, runSetup, validateSetupOptions, type RunMode, type SetupReport } from './run.js';
export { assess, fetchProbe, runStatus, statusExitCode, type Probe, type StatusReport } from './status.js';
export { planTeardown, runTeardown, type TeardownReport } from './teardown.js';
export type * from './types.js';
