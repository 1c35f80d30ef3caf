// 2026.8 attribute definitions (/core/object_attributes/) and their check on user writes
// (authentik/core/api/object_attributes.py AttributesMixinSerializer, authentik/core/models.py
// ObjectAttribute.run_validation). With no definitions, user writes behave as before.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin, type StandinStateJson } from '../../src/standin/index.js';
import { api } from './helpers.js';

const ALICE = 3;
const BOB = 5;

describe('attribute definitions on 2026.8', () => {
  let s: Standin;
  let seed: StandinStateJson;
  beforeAll(async () => {
    s = await startStandin({ version: '2026.8' });
    seed = s.dump();
  });
  beforeEach(() => {
    s.load(seed);
    s.violations.length = 0;
  });
  afterAll(() => s.close());

  const define = (body: Record<string, unknown>) =>
    api(s, 'POST', 'core/object_attributes/', { body: { object_type: 'authentik_core.user', label: 'L', type: 'text', ...body } });
  const patchAlice = (body: Record<string, unknown>) => api(s, 'PATCH', `core/users/${ALICE}/`, { body });

  it('a fresh install has none, and user PATCHes are unchanged', async () => {
    const list = await api(s, 'GET', 'core/object_attributes/');
    expect(list.status).toBe(200);
    expect(list.body.results).toEqual([]);
    expect((await patchAlice({ attributes: { anything: [1, { x: null }] } })).status).toBe(200);
    expect((await patchAlice({ name: 'Only A Name' })).status).toBe(200);
    expect(s.violations).toEqual([]);
  });

  it('creates a definition in the 2026.8 shape', async () => {
    const r = await define({ key: 'department', label: 'Department', is_required: true });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      object_type: 'authentik_core.user',
      object_type_obj: { app_label: 'authentik_core', model: 'user', fully_qualified_model: 'authentik_core.user', verbose_name_plural: 'Users' },
      enabled: true,
      key: 'department',
      regex: '',
      group: '',
      is_unique: false,
      is_required: true,
      managed: null,
    });
    expect((await api(s, 'GET', `core/object_attributes/${r.body.pk}/`)).body).toEqual(r.body);
    expect((await api(s, 'GET', 'core/object_attributes/?object_type__model=user&enabled=true')).body.results).toHaveLength(1);
    expect((await api(s, 'GET', 'core/object_attributes/?object_type__model=group')).body.results).toHaveLength(0);
    expect(s.violations).toEqual([]);
  });

  it('a required definition: the whole attributes dict sent must have it', async () => {
    await define({ key: 'department', is_required: true });
    const missing = await patchAlice({ attributes: { avatar: 'data:image/png;base64,AA' } });
    expect([missing.status, missing.body]).toEqual([400, { attributes_department: ['This field is required'] }]);
    expect(s.state.users.find((u) => u.pk === ALICE)!.attributes).toMatchObject({ department: 'ops' }); // nothing written
    const kept = await patchAlice({ attributes: { department: 'ops', avatar: 'data:image/png;base64,AA' } });
    expect(kept.status).toBe(200);
    expect(s.violations).toEqual([]);
  });

  it('quirk: a PATCH without `attributes` is checked against {} and fails a required definition', async () => {
    await define({ key: 'department', is_required: true });
    const r = await patchAlice({ name: 'Alice E.' });
    expect([r.status, r.body]).toEqual([400, { attributes_department: ['This field is required'] }]);
  });

  it('field errors come first; disabled definitions and other object types are ignored', async () => {
    await define({ key: 'department', is_required: true });
    const fieldError = await patchAlice({ attributes: [] });
    expect(fieldError.body).toEqual({ attributes: ['Value must be a dictionary, and not have any duplicate keys.'] });
    await api(s, 'PATCH', `core/object_attributes/${s.state.object_attributes[0]!.pk}/`, { body: { enabled: false } });
    await define({ key: 'team', is_required: true, object_type: 'authentik_core.group' });
    expect((await patchAlice({ attributes: {} })).status).toBe(200);
  });

  it('type, regex (re.fullmatch on str(value)) and dotted keys', async () => {
    await define({ key: 'employee.number', type: 'number', regex: '[0-9]{4}' });
    const notInt = await patchAlice({ attributes: { employee: { number: 'abc' } } });
    expect(notInt.body).toEqual({ 'attributes_employee.number': ['A valid integer is required.'] });
    const short = await patchAlice({ attributes: { employee: { number: 42 } } });
    expect(short.body).toEqual({ 'attributes_employee.number': ['Value does not match configured pattern.'] });
    expect((await patchAlice({ attributes: { employee: { number: 1234 } } })).status).toBe(200);
    expect((await patchAlice({ attributes: { employee: { number: '1234' } } })).status).toBe(200);
    expect((await patchAlice({ attributes: {} })).status).toBe(200); // not required: absent passes
    await define({ key: 'vip', type: 'boolean' });
    expect((await patchAlice({ attributes: { vip: 'maybe' } })).body).toEqual({ attributes_vip: ['Must be a valid boolean.'] });
    expect((await patchAlice({ attributes: { vip: 'yes' } })).status).toBe(200);
    await define({ key: 'nick', type: 'text' });
    expect((await patchAlice({ attributes: { nick: { a: 1 } } })).body).toEqual({ attributes_nick: ['Not a valid string.'] });
  });

  it('is_unique compares with every stored user, the one being saved included', async () => {
    await define({ key: 'badge', is_unique: true });
    s.state.users.find((u) => u.pk === BOB)!.attributes = { badge: 'B-1' };
    const taken = await patchAlice({ attributes: { badge: 'B-1' } });
    expect([taken.status, taken.body]).toEqual([400, { attributes_badge: ['Value is not unique.'] }]);
    expect((await patchAlice({ attributes: { badge: 'A-1' } })).status).toBe(200);
    // re-sending Alice's own unchanged value fails too: the query does not exclude her
    const again = await patchAlice({ attributes: { badge: 'A-1', avatar: 'data:image/png;base64,AA' } });
    expect([again.status, again.body]).toEqual([400, { attributes_badge: ['Value is not unique.'] }]);
  });

  it("the definitions' own validation", async () => {
    const bad = await define({ key: 'x', object_type: 'authentik_core.token' });
    expect([bad.status, bad.body]).toEqual([400, { object_type: ['Invalid object type'] }]);
    expect((await define({ key: 'x' })).status).toBe(201);
    const dup = await define({ key: 'x' });
    expect([dup.status, dup.body]).toEqual([400, { non_field_errors: ['The fields object_type, key, enabled must make a unique set.'] }]);
    expect((await define({ key: 'x', enabled: false })).status).toBe(201); // enabled is part of the set
    const badType = await define({ key: 'y', type: 'date' });
    expect([badType.status, badType.body]).toEqual([400, { type: ['"date" is not a valid choice.'] }]);
    const pk = s.state.object_attributes[0]!.pk;
    expect((await api(s, 'DELETE', `core/object_attributes/${pk}/`)).status).toBe(204);
    expect((await api(s, 'GET', `core/object_attributes/${pk}/`)).body).toEqual({ detail: 'No ObjectAttribute matches the given query.' });
    expect(s.violations).toEqual([]);
  });

  it('needs the objectattribute permissions', async () => {
    s.addToken('viewer', { username: 'dave', permissions: ['authentik_core.view_objectattribute'] });
    expect((await api(s, 'GET', 'core/object_attributes/', { token: 'viewer' })).status).toBe(200);
    const r = await api(s, 'POST', 'core/object_attributes/', { token: 'viewer', body: { object_type: 'authentik_core.user', key: 'k', label: 'l', type: 'text' } });
    expect(r.status).toBe(403);
  });

  it('dumps carry the definitions; a dump without the key loads as none', async () => {
    await define({ key: 'department', is_required: true });
    const dump = s.dump();
    expect(dump.object_attributes).toHaveLength(1);
    const { object_attributes: _dropped, ...older } = dump;
    s.load(older as StandinStateJson);
    expect(s.state.object_attributes).toEqual([]);
    expect((await patchAlice({ name: 'x' })).status).toBe(200);
  });
});

describe('before 2026.8', () => {
  it('has no definitions endpoint and ignores definitions found in a loaded state', async () => {
    const s = await startStandin({ version: '2026.5' });
    try {
      const state = s.dump();
      state.object_attributes = [
        {
          pk: '00000000-0000-4000-8000-0000000000aa',
          object_type: 'authentik_core.user',
          enabled: true,
          key: 'department',
          label: 'Department',
          group: '',
          type: 'text',
          regex: '',
          is_unique: false,
          is_required: true,
          managed: null,
          created: '2026-01-01T00:00:00.000000Z',
          last_updated: '2026-01-01T00:00:00.000000Z',
        },
      ];
      s.load(state);
      expect((await api(s, 'GET', 'core/object_attributes/')).status).toBe(404);
      expect((await api(s, 'PATCH', `core/users/${ALICE}/`, { body: { attributes: {} } })).status).toBe(200);
      expect(s.violations).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
