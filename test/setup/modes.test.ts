// --dry-run, --check, --json, --avatars, --flow, the dir store, usage errors, --help.
import { describe, expect, test } from '@jest/globals';
import { run } from '../helpers/run.js';
import { useStandin } from '../helpers/standin.js';
import { AVATAR, DEFAULT_FIELDS, POLICY, RESET, parseJson, stageLists, writes } from './helpers.js';

describe('modes', () => {
  const sb = useStandin({ maxPageSize: 2 });

  test('--dry-run prints the plan and sends no write', async () => {
    const s = sb().standin;
    const r = await run(['setup', '--dry-run'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(1, 4)).toEqual([`+ create prompt ${AVATAR}`, `+ create prompt ${RESET}`, `+ create policy ${POLICY}`]);
    expect(r.stdout).toContain('Dry run: 5 changes planned; nothing was changed.');
    expect(writes(s)).toEqual([]);
  });

  test('--check: exit 8 with changes pending, 0 when converged; never writes', async () => {
    const s = sb().standin;
    let r = await run(['setup', '--check'], { env: sb().env });
    expect(r.code).toBe(8);
    expect(writes(s)).toEqual([]);
    r = await run(['--json', 'setup', '--check'], { env: sb().env });
    expect(r.code).toBe(8);
    expect(parseJson(r.stdout)).toMatchObject({ mode: 'check', pending: true, result: null });
    expect((await run(['setup'], { env: sb().env })).code).toBe(0);
    const w = writes(s).length;
    r = await run(['setup', '--check'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(writes(s).length).toBe(w);
  });

  test('--json: exactly one document with plan, result and request counts; nothing else on stdout', async () => {
    const r = await run(['--json', 'setup'], { env: sb().env });
    expect(r.code).toBe(0);
    const doc = parseJson(r.stdout);
    expect(Object.keys(doc)).toEqual(['command', 'authentik', 'mode', 'pending', 'plan', 'result', 'requests']);
    expect(doc.plan.actions).toHaveLength(5);
    expect(doc.plan.actions[3].changes[0].new.map((x: any) => x.name ?? null)).toEqual([null, null, null, null, AVATAR, RESET]);
    expect(doc.result.applied).toHaveLength(5);
    expect(doc.requests).toEqual({ total: expect.any(Number), reads: expect.any(Number), writes: 5, discovery: expect.any(Number), apply: 5 });
    // no policy code in the plan (it is long and not a diff)
    expect(r.stdout).not.toContain('import base64');
    expect(r.stderr).toBe('');
  });

  test('-v reports the request counts of the run', async () => {
    const r = await run(['-v', 'setup'], { env: sb().env });
    expect(r.stdout).toMatch(/HTTP requests: \d+ \(\d+ reads, 5 writes; discovery \d+, apply 5\)/);
  });

  test('--avatars sets the list exactly; a later plain run puts attributes.avatar first again', async () => {
    const s = sb().standin;
    let r = await run(['setup', '--avatars', 'initials,attributes.avatar'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(s.state.settings['avatars']).toBe('initials,attributes.avatar');
    r = await run(['setup', '--dry-run'], { env: sb().env });
    expect(r.stdout).toContain('~ update setting avatars (avatars: initials,attributes.avatar → attributes.avatar,initials)');
    r = await run(['setup', '--avatars', 'initials,bogus'], { env: sb().env });
    expect(r.code).toBe(2);
  });

  test('--flow also targets an enrollment flow; an unknown flow is exit 5; a flow without a prompt stage is a clear error', async () => {
    const s = sb().standin;
    let r = await run(['setup', '--flow', 'default-source-enrollment'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(stageLists(s, 'default-source-enrollment-prompt').fields).toEqual(['default-source-enrollment-field-username', AVATAR, RESET]);
    expect(stageLists(s, 'default-source-enrollment-prompt').policies).toEqual([POLICY]);
    expect(stageLists(s).fields).toEqual([...DEFAULT_FIELDS, AVATAR, RESET]);
    r = await run(['setup', '--flow', 'no-such-flow'], { env: sb().env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("flow 'no-such-flow' not found");
    r = await run(['setup', '--flow', 'default-authentication-flow'], { env: sb().env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("flow 'default-authentication-flow' has no prompt stage");
    // teardown with the same --flow cleans both stages
    r = await run(['teardown', '--flow', 'default-source-enrollment'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(stageLists(s, 'default-source-enrollment-prompt')).toEqual({ fields: ['default-source-enrollment-field-username'], policies: [] });
  });

  test('names and labels are overridable', async () => {
    const s = sb().standin;
    const r = await run(['setup', '--prompt-name', 'pic', '--reset-prompt-name', 'pic-reset', '--policy-name', 'pic-policy', '--label', 'Picture', '--reset-label', 'No picture'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(s.state.prompts.find((p) => p.name === 'pic')).toMatchObject({ label: 'Picture', field_key: 'attributes.avatar' });
    expect(s.state.prompts.find((p) => p.name === 'pic-reset')).toMatchObject({ label: 'No picture' });
    expect(stageLists(s).fields).toEqual([...DEFAULT_FIELDS, 'pic', 'pic-reset']);
    const again = await run(['--json', 'setup', '--prompt-name', 'pic', '--reset-prompt-name', 'pic-reset', '--policy-name', 'pic-policy', '--label', 'Picture', '--reset-label', 'No picture'], { env: sb().env });
    expect(parseJson(again.stdout).pending).toBe(false);
  });

  test('the dir store: options land in the policy, a bare re-run keeps them', async () => {
    const s = sb().standin;
    let r = await run(['setup', '--store', 'dir', '--store-dir', '/media/avatars', '--public-url', 'https://auth.example.com/avatars', '--max-bytes', '1048576'], { env: sb().env });
    expect(r.code).toBe(0);
    const expr = s.state.policies.find((p) => p.name === POLICY)!.expression;
    expect(expr).toContain('STORE = "dir"');
    expect(expr).toContain('PUBLIC_URL = "https://auth.example.com/avatars/"');
    expect(expr).toContain('MAX_BYTES = 1048576');
    r = await run(['setup', '--check'], { env: sb().env });
    expect(r.code).toBe(0);
    r = await run(['setup', '--store', 'inline', '--dry-run'], { env: sb().env });
    expect(r.stdout).toMatch(/~ update policy default-user-settings-avatar \(expression: ak-avatars policy v\d+, store=dir.* → ak-avatars policy v\d+, store=inline/);
  });

  test('usage errors exit 2 before any request', async () => {
    const s = sb().standin;
    for (const args of [
      ['setup', '--store', 'dir'],
      ['setup', '--store-dir', '/x'],
      ['setup', '--dry-run', '--check'],
      ['setup', '--store', 's3'],
      ['setup', '--max-bytes', '12'],
    ]) {
      const r = await run(args, { env: sb().env });
      expect([args, r.code]).toEqual([args, 2]);
    }
    expect(s.requests).toEqual([]);
  });

  test('teardown --purge-avatars: refuses without a terminal, --yes purges every avatar and stale avatar_reset', async () => {
    const s = sb().standin;
    s.state.users.find((u) => u.username === 'carol')!.attributes = { avatar_reset: true, keep: 1 };
    expect((await run(['setup'], { env: sb().env })).code).toBe(0);
    let r = await run(['teardown', '--purge-avatars'], { env: sb().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(s.state.prompts.some((p) => p.name === AVATAR)).toBe(true);
    // on a terminal, answering no cancels (exit 3) and changes nothing
    r = await run(['teardown', '--purge-avatars'], { env: sb().env, isTTY: true, stdin: 'n\n' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Remove the avatars of 2 user\(s\)\?/);
    expect(s.state.prompts.some((p) => p.name === AVATAR)).toBe(true);
    r = await run(['teardown', '--purge-avatars', '--dry-run'], { env: sb().env });
    expect(r.stdout).toContain('~ update user bob (attributes.avatar: url → null)');
    r = await run(['--yes', 'teardown', '--purge-avatars'], { env: sb().env });
    expect(r.code).toBe(0);
    expect(s.state.users.find((u) => u.username === 'bob')!.attributes).toEqual({ settings: { locale: 'de' } });
    expect(s.state.users.find((u) => u.username === 'carol')!.attributes).toEqual({ keep: 1 });
    expect(s.state.prompts.some((p) => p.name === AVATAR)).toBe(false);
  });

  test('a version without the settings API (feature flag): no settings request, AUTHENTIK_AVATARS printed instead', async () => {
    const { AuthentikClient } = await import('../../src/authentik/index.js');
    const { runSetup } = await import('../../src/setup/index.js');
    const s = sb().standin;
    const client = new AuthentikClient({ url: s.url, token: s.token, retryBaseMs: 1 });
    const api = Object.assign(Object.create(client) as typeof client, {
      features: async () => ({ ...(await client.features()), settingsApi: false }),
    });
    const r = await runSetup(api, {}, 'apply');
    expect(r.plan.env).toEqual({ AUTHENTIK_AVATARS: 'attributes.avatar,gravatar,initials' });
    expect(r.plan.actions.some((a) => a.object === 'setting')).toBe(false);
    expect(s.requests.some((q) => q.path.endsWith('/admin/settings/'))).toBe(false);
    expect(s.state.settings['avatars']).toBe('gravatar,initials');
    expect(stageLists(s).fields).toEqual([...DEFAULT_FIELDS, AVATAR, RESET]);
  });

  test('--json on an error: still exactly one document', async () => {
    const r = await run(['--json', 'setup', '--flow', 'nope'], { env: sb().env });
    expect(r.code).toBe(5);
    expect(parseJson(r.stdout)).toEqual({ error: expect.objectContaining({ exitCode: 5 }) });
  });

  test('--help of each command has examples', async () => {
    for (const c of ['setup', 'status', 'teardown']) {
      const r = await run([c, '--help'], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain(`ak-avatars ${c}`);
    }
    const root = await run(['--help'], {});
    expect(root.stdout).toMatch(/setup .*\n[\s\S]*status[\s\S]*teardown/);
  });
});
