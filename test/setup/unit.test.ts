// Pure parts: the avatars-setting merge, plan(), plan formatting, policy config read-back, permissions.
import { describe, expect, test } from '@jest/globals';
import { ExitCode } from '../../src/errors.js';
import { defaultPolicyOptions, renderPolicy } from '../../src/policy/render.js';
import { desiredAvatars, mergeAvatars, parseAvatarsFlag, parseModes, removeAvatarMode } from '../../src/setup/avatars.js';
import { desiredFrom, namesFrom, policyOptionsFrom } from '../../src/setup/desired.js';
import { formatAction, formatPlan, formatRefs } from '../../src/setup/format.js';
import { guarded, permissionFor } from '../../src/setup/permissions.js';
import { isPending, plan } from '../../src/setup/plan.js';
import { readPolicyConfig } from '../../src/setup/policy-config.js';
import { planTeardown } from '../../src/setup/teardown.js';
import type { Desired, Snapshot } from '../../src/setup/types.js';

describe('avatars setting', () => {
  test.each([
    ['gravatar,initials', 'attributes.avatar,gravatar,initials'],
    ['initials', 'attributes.avatar,initials'],
    ['gravatar, initials', 'attributes.avatar,gravatar,initials'],
    [' gravatar ,,initials,gravatar', 'attributes.avatar,gravatar,initials'],
    ['initials,attributes.avatar,gravatar', 'attributes.avatar,initials,gravatar'],
    ['attributes.avatar,gravatar,initials', 'attributes.avatar,gravatar,initials'],
    ['https://cdn.example.com/%(mail_hash)s.png,none', 'attributes.avatar,https://cdn.example.com/%(mail_hash)s.png,none'],
    ['', 'attributes.avatar'],
  ])('merge %j -> %j', (cur, want) => {
    expect(mergeAvatars(cur)).toBe(want);
    expect(mergeAvatars(cur)).not.toMatch(/\s/);
  });

  test('teardown removes only our mode, falls back to the default when nothing is left', () => {
    expect(removeAvatarMode('attributes.avatar,gravatar,initials')).toBe('gravatar,initials');
    expect(removeAvatarMode('initials, attributes.avatar')).toBe('initials');
    expect(removeAvatarMode('attributes.avatar')).toBe('gravatar,initials');
  });

  test('--avatars sets the list exactly (trimmed, no duplicates) and rejects unknown modes', () => {
    expect(desiredAvatars('gravatar,initials', { mode: 'exact', list: parseAvatarsFlag('initials, attributes.avatar') })).toBe('initials,attributes.avatar');
    expect(desiredAvatars(null, { mode: 'merge' })).toBe('attributes.avatar,gravatar,initials');
    expect(parseModes('a, b,,a')).toEqual(['a', 'b']);
    expect(() => parseAvatarsFlag('gravatr')).toThrow(/unknown avatar mode 'gravatr'/);
    expect(() => parseAvatarsFlag(' , ')).toThrow(/at least one mode/);
  });
});

const names = namesFrom({});
const desired: Desired = desiredFrom({}, names);

function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    version: '2026.8.3',
    features: { settingsApi: true, filesApi: true, mediaPublic: false, oidcPictureClaim: true },
    targets: [
      {
        flow: { pk: 'f1', slug: 'default-user-settings-flow', name: 'User settings', designation: 'stage_configuration' },
        bindings: [{ pk: 'b1', order: 20, stage: 's1', stage_obj: { pk: 's1', name: 'default-user-settings', meta_model_name: 'authentik_stages_prompt.promptstage' } }],
        stage: { pk: 's1', name: 'default-user-settings', fields: ['p1', 'p2', 'p3', 'p4'], validation_policies: ['v1'] },
        otherPromptStages: [],
      },
    ],
    prompts: {},
    promptCandidates: [],
    policyCandidates: [],
    settings: { avatars: 'gravatar,initials' },
    requests: 0,
    ...over,
  };
}

const mine = {
  avatar: { pk: 'pa', name: names.prompts.avatar, field_key: 'attributes.avatar', label: 'Avatar', type: 'file' as const, required: false, order: 205 },
  reset: { pk: 'pr', name: names.prompts.reset, field_key: 'attributes.avatar_reset', label: 'Remove avatar', type: 'checkbox' as const, required: false, order: 206 },
};
const myPolicy = { pk: 'pp', name: names.policy, expression: desired.policy.expression, execution_logging: false };

describe('plan()', () => {
  test('fresh instance: create, create, create, update stage (appended at the end), update setting', () => {
    const p = plan(snapshot(), desired);
    expect(p.actions.map((a) => `${a.kind} ${a.object}`)).toEqual(['create prompt', 'create prompt', 'create policy', 'update prompt stage', 'update setting']);
    const stage = p.actions[3]!;
    expect(stage.lists?.fields?.map((r) => r.pk ?? r.role)).toEqual(['p1', 'p2', 'p3', 'p4', 'avatar', 'reset']);
    expect(stage.lists?.validation_policies?.map((r) => r.pk ?? r.role)).toEqual(['v1', 'policy']);
    expect(p.actions[4]!.value).toBe('attributes.avatar,gravatar,initials');
    expect(isPending(p)).toBe(true);
    expect(formatAction(stage)).toBe(
      '~ update prompt stage default-user-settings (fields: [… 4] → [… 4, default-user-settings-field-avatar, default-user-settings-field-avatar-reset]; validation_policies: [… 1] → [… 1, default-user-settings-avatar])',
    );
    expect(formatAction(p.actions[0]!)).toBe('+ create prompt default-user-settings-field-avatar');
  });

  test('converged instance: everything unchanged, nothing pending', () => {
    const snap = snapshot({ prompts: mine, policy: myPolicy, settings: { avatars: 'attributes.avatar,gravatar,initials' } });
    snap.targets[0]!.stage.fields.push('pa', 'pr');
    snap.targets[0]!.stage.validation_policies.push('pp');
    const p = plan(snap, desired);
    expect(p.actions.every((a) => a.kind === 'unchanged')).toBe(true);
    expect(isPending(p)).toBe(false);
    expect(formatPlan(p)[0]).toBe('= unchanged prompt default-user-settings-field-avatar');
  });

  test('our objects where the admin moved them keep their position; only missing ones are appended', () => {
    const snap = snapshot({ prompts: mine, policy: myPolicy });
    snap.targets[0]!.stage.fields = ['p1', 'pr', 'p2'];
    const p = plan(snap, desired);
    const stage = p.actions.find((a) => a.object === 'prompt stage')!;
    expect(stage.lists?.fields?.map((r) => r.pk)).toEqual(['p1', 'pr', 'p2', 'pa']);
    expect(stage.lists?.validation_policies?.map((r) => r.pk)).toEqual(['v1', 'pp']);
  });

  test('changed label/order: update with the changes listed', () => {
    const p = plan(snapshot({ prompts: { ...mine, avatar: { ...mine.avatar, label: 'Photo', order: 300 } }, policy: myPolicy }), desired);
    const a = p.actions[0]!;
    expect(a.kind).toBe('update');
    expect(a.changes).toEqual([{ field: 'label', old: 'Photo', new: 'Avatar' }, { field: 'order', old: 300, new: 205 }]);
    expect(a.body).toEqual({ label: 'Avatar', order: 205 });
  });

  test('adoption: a prompt with our field key in the stage is reused and renamed; a recipe policy bound to the stage too', () => {
    const recipe = { pk: 'rx', name: 'my-avatar', field_key: 'attributes.avatar', label: 'Pic', type: 'file' as const, required: false, order: 350 };
    const elsewhere = { pk: 'ry', name: 'other-avatar', field_key: 'attributes.avatar_reset', label: 'x', type: 'checkbox' as const, required: false, order: 1 };
    const recipePolicy = { pk: 'rp', name: 'foxid-settings-avatar', expression: 'avatar = 1\nreturn True', execution_logging: false };
    const snap = snapshot({ promptCandidates: [recipe, elsewhere], policyCandidates: [recipePolicy] });
    snap.targets[0]!.stage.fields.push('rx');
    snap.targets[0]!.stage.validation_policies.push('rp');
    const p = plan(snap, desired);
    expect(p.actions.map((a) => `${a.kind} ${a.object} ${a.name}`)).toEqual([
      'adopt prompt my-avatar',
      // not in a target stage: not adopted
      `create prompt ${names.prompts.reset}`,
      'adopt policy foxid-settings-avatar',
      'update prompt stage default-user-settings',
      'update setting avatars',
    ]);
    expect(p.actions[0]!.changes.map((c) => c.field)).toEqual(['name', 'label', 'order']);
    expect(formatAction(p.actions[2]!)).toMatch(/^~ adopt policy foxid-settings-avatar: replace recipe code \(name: foxid-settings-avatar → default-user-settings-avatar; expression: other code \(2 lines\) → ak-avatars policy v/);
    expect(p.actions[2]!.body?.expression).toBe(desired.policy.expression);
    // the adopted prompt stays where it is, only the new one is appended; the adopted policy is already bound
    expect(p.actions[3]!.lists?.fields?.map((r) => r.pk ?? r.role)).toEqual(['p1', 'p2', 'p3', 'p4', 'rx', 'reset']);
    expect(p.actions[3]!.lists?.validation_policies).toBeUndefined();
  });

  test('a second prompt with our field key in the stage is dropped from the stage (not deleted)', () => {
    const dup = { pk: 'dd', name: 'old-avatar', field_key: 'attributes.avatar', label: 'x', type: 'file' as const, required: false, order: 1 };
    const snap = snapshot({ prompts: mine, policy: myPolicy, promptCandidates: [mine.avatar, mine.reset, dup] });
    snap.targets[0]!.stage.fields = ['p1', 'dd', 'pa', 'pr'];
    snap.targets[0]!.stage.validation_policies = ['v1', 'pp'];
    const p = plan(snap, desired);
    const stage = p.actions.find((a) => a.object === 'prompt stage')!;
    expect(stage.lists?.fields?.map((r) => r.pk)).toEqual(['p1', 'pa', 'pr']);
    expect(p.actions.some((a) => a.kind === 'delete')).toBe(false);
    expect(p.notes.join('\n')).toMatch(/removing duplicate old-avatar/);
  });

  test('no settings API: no setting action, AUTHENTIK_AVATARS to set instead', () => {
    const p = plan(snapshot({ settings: null }), desired);
    expect(p.actions.some((a) => a.object === 'setting')).toBe(false);
    expect(p.env).toEqual({ AUTHENTIK_AVATARS: 'attributes.avatar,gravatar,initials' });
  });

  test('teardown plan: our entries leave the lists, the rest keeps its order; then deletes', () => {
    const snap = snapshot({ prompts: mine, policy: myPolicy, settings: { avatars: 'attributes.avatar,gravatar,initials' } });
    snap.targets[0]!.stage.fields = ['p1', 'pa', 'p2', 'pr'];
    snap.targets[0]!.stage.validation_policies = ['pp', 'v1'];
    const p = planTeardown(snap);
    expect(p.actions.map((a) => `${a.kind} ${a.object}`)).toEqual(['update prompt stage', 'delete prompt', 'delete prompt', 'delete policy', 'update setting']);
    expect(p.actions[0]!.lists?.fields?.map((r) => r.pk)).toEqual(['p1', 'p2']);
    expect(p.actions[0]!.lists?.validation_policies?.map((r) => r.pk)).toEqual(['v1']);
    expect(p.actions[4]!.value).toBe('gravatar,initials');
    expect(isPending(planTeardown(snapshot()))).toBe(false);
  });
});

describe('policy options', () => {
  test('the options of an installed policy are read back from its config block', () => {
    const opts = { ...defaultPolicyOptions('dir'), storeDir: '/media/avatars', publicUrl: 'https://auth.example.com/avatars/', maxBytes: 1048576 };
    const expr = renderPolicy(opts);
    expect(readPolicyConfig(expr)).toEqual(opts);
    expect(readPolicyConfig('return True')).toBeNull();
  });

  test('a bare re-run keeps an installed dir store; --store resets to that store’s defaults', () => {
    const installed = { pk: 'x', name: 'p', execution_logging: false, expression: renderPolicy({ ...defaultPolicyOptions('dir'), storeDir: '/d', publicUrl: 'https://h/a/' }) };
    expect(policyOptionsFrom({}, installed)).toMatchObject({ store: 'dir', storeDir: '/d', publicUrl: 'https://h/a/' });
    expect(policyOptionsFrom({ store: 'inline' }, installed)).toEqual(defaultPolicyOptions('inline'));
  });

  test('usage errors', () => {
    expect(() => policyOptionsFrom({ store: 'dir' })).toThrow(/needs --store-dir and --public-url/);
    expect(() => policyOptionsFrom({ storeDir: '/x' })).toThrow(/only apply with --store dir/);
    expect(() => policyOptionsFrom({ store: 'dir', storeDir: 'rel', publicUrl: 'https://h/' })).toThrow(/absolute path/);
    expect(policyOptionsFrom({ store: 'dir', storeDir: '/d', publicUrl: 'https://h/a' }).publicUrl).toBe('https://h/a/');
    expect(() => namesFrom({ promptName: 'x', resetPromptName: 'x' })).toThrow(/must differ/);
  });
});

describe('permissions', () => {
  test.each([
    ['POST', 'stages/prompt/prompts/', 'authentik_stages_prompt.add_prompt'],
    ['PATCH', 'stages/prompt/stages/abc/', 'authentik_stages_prompt.change_promptstage'],
    ['DELETE', 'policies/expression/abc/', 'authentik_policies_expression.delete_expressionpolicy'],
    ['GET', 'flows/bindings/', 'authentik_flows.view_flowstagebinding'],
    ['PATCH', 'admin/settings/', 'authentik_rbac.edit_system_settings'],
    ['GET', 'admin/settings/', 'authentik_rbac.view_system_settings'],
  ])('%s %s needs %s', (m, p, perm) => expect(permissionFor(m, p)).toBe(perm));

  test('a 403 becomes exit 4 naming the permission; a bad token stays the client error', async () => {
    const denied = Object.assign(new Error('POST x failed: 403'), { status: 403, detail: 'You do not have permission to perform this action.' });
    await expect(guarded('creating prompt a', 'POST', 'stages/prompt/prompts/', () => Promise.reject(denied))).rejects.toMatchObject({
      exitCode: ExitCode.AUTH,
      message: 'permission denied: creating prompt a needs authentik_stages_prompt.add_prompt',
    });
    const badToken = Object.assign(new Error('GET x failed: 403'), { status: 403, detail: 'Token invalid/expired' });
    await expect(guarded('x', 'GET', 'admin/settings/', () => Promise.reject(badToken))).rejects.toBe(badToken);
  });
});

test('formatRefs collapses unnamed runs', () => {
  expect(formatRefs([{ pk: 'a' }, { pk: 'b' }, { name: 'x' }, { pk: 'c' }])).toBe('[… 2, x, … 1]');
  expect(formatRefs([])).toBe('[]');
});
