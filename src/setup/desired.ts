// From command-line options to the names discovery looks for and the state setup converges to.
import { CliError, ExitCode } from '../errors.js';
import { defaultPolicyOptions, renderPolicy, type PolicyOptions } from '../policy/render.js';
import { AVATAR_MODE, parseAvatarsFlag } from './avatars.js';
import { readPolicyConfig } from './policy-config.js';
import type { Desired, Names, PolicyObj } from './types.js';

export const DEFAULTS = {
  promptName: 'default-user-settings-field-avatar',
  resetPromptName: 'default-user-settings-field-avatar-reset',
  policyName: 'default-user-settings-avatar',
  label: 'Avatar',
  resetLabel: 'Remove avatar',
  avatarKey: AVATAR_MODE,
  resetKey: 'attributes.avatar_reset',
  // after the default prompts (200-203); newer authentik orders by list position, older by `order`
  avatarOrder: 205,
  resetOrder: 206,
} as const;

/** Options shared by setup, status and teardown (names) plus setup's own. */
export interface SetupOptions {
  flows?: string[];
  avatars?: string;
  store?: 'inline' | 'dir';
  storeDir?: string;
  publicUrl?: string;
  maxBytes?: number;
  allowSvg?: boolean;
  promptName?: string;
  resetPromptName?: string;
  policyName?: string;
  label?: string;
  resetLabel?: string;
}

export function namesFrom(o: SetupOptions): Names {
  const names: Names = {
    prompts: { avatar: o.promptName ?? DEFAULTS.promptName, reset: o.resetPromptName ?? DEFAULTS.resetPromptName },
    fieldKeys: { avatar: DEFAULTS.avatarKey, reset: DEFAULTS.resetKey },
    policy: o.policyName ?? DEFAULTS.policyName,
  };
  for (const [flag, v] of [
    ['--prompt-name', names.prompts.avatar],
    ['--reset-prompt-name', names.prompts.reset],
    ['--policy-name', names.policy],
  ] as const) {
    if (v.trim() === '' || v !== v.trim()) throw new CliError(`${flag} must be a non-empty name without surrounding spaces`, ExitCode.USAGE);
  }
  if (names.prompts.avatar === names.prompts.reset) {
    throw new CliError('--prompt-name and --reset-prompt-name must differ', ExitCode.USAGE);
  }
  return names;
}

/**
 * The policy options: explicit flags win; without --store, the options of the policy already
 * installed (ours) are kept, so a bare re-run does not switch a dir store back to inline.
 */
export function policyOptionsFrom(o: SetupOptions, installed?: PolicyObj): PolicyOptions {
  const inherited = o.store === undefined && installed ? readPolicyConfig(installed.expression) : null;
  const base: PolicyOptions = inherited ?? defaultPolicyOptions(o.store ?? 'inline');
  const opts: PolicyOptions = { ...base, allowedTypes: [...base.allowedTypes] };
  // range checks per store live in renderPolicy()
  if (o.maxBytes !== undefined) opts.maxBytes = o.maxBytes;
  if (o.allowSvg !== undefined) opts.allowSvg = o.allowSvg;
  if (o.allowSvg && !opts.allowedTypes.includes('image/svg+xml')) opts.allowedTypes.push('image/svg+xml');
  if (o.storeDir !== undefined) opts.storeDir = o.storeDir;
  if (o.publicUrl !== undefined) opts.publicUrl = o.publicUrl;
  if (opts.store === 'dir') {
    if (!opts.storeDir || !opts.publicUrl) {
      throw new CliError('--store dir needs --store-dir and --public-url', ExitCode.USAGE, {
        hint: 'e.g. --store dir --store-dir /media/avatars --public-url https://auth.example.com/avatars/',
      });
    }
    if (!opts.storeDir.startsWith('/')) throw new CliError('--store-dir must be an absolute path inside authentik\'s server container', ExitCode.USAGE);
    let u: URL;
    try {
      u = new URL(opts.publicUrl);
    } catch {
      throw new CliError(`--public-url is not a URL: ${opts.publicUrl}`, ExitCode.USAGE);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new CliError('--public-url must be an http(s) URL', ExitCode.USAGE);
    // the policy appends the file name to it
    if (!opts.publicUrl.endsWith('/')) opts.publicUrl += '/';
  } else {
    if (o.storeDir !== undefined || o.publicUrl !== undefined) {
      throw new CliError('--store-dir and --public-url only apply with --store dir', ExitCode.USAGE);
    }
    delete opts.storeDir;
    delete opts.publicUrl;
  }
  return opts;
}

export function desiredFrom(o: SetupOptions, names: Names, installed?: PolicyObj): Desired {
  const label = o.label ?? DEFAULTS.label;
  const resetLabel = o.resetLabel ?? DEFAULTS.resetLabel;
  if (label.trim() === '' || resetLabel.trim() === '') throw new CliError('--label and --reset-label must not be empty', ExitCode.USAGE);
  return {
    prompts: {
      avatar: { name: names.prompts.avatar, field_key: names.fieldKeys.avatar, label, type: 'file', required: false, order: DEFAULTS.avatarOrder },
      reset: { name: names.prompts.reset, field_key: names.fieldKeys.reset, label: resetLabel, type: 'checkbox', required: false, order: DEFAULTS.resetOrder },
    },
    policy: { name: names.policy, expression: renderPolicy(policyOptionsFrom(o, installed)), execution_logging: false },
    avatars: o.avatars !== undefined ? { mode: 'exact', list: parseAvatarsFlag(o.avatars) } : { mode: 'merge' },
  };
}
