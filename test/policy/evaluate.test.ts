// The harness must behave like authentik's PolicyEvaluator, or the policy tests prove nothing.
import { describe, expect, test } from '@jest/globals';
import { policyAssetPath } from '../../src/policy/render.js';
import { evaluatePolicy, runPython } from './helpers.js';

const user = { pk: 7, username: 'alice', email: 'alice@example.com', groups: ['ops'], attributes: { department: 'ops' } };

describe('evaluate.py', () => {
  test('runs the text as a function body with request, context and ak_message', async () => {
    const expression = [
      'assert context is request.context',
      'ak_message("hi " + request.user.username + " " + request.user.attributes["department"])',
      'request.context["prompt_data"]["seen"] = request.user.is_authenticated and request.user.pk == 7',
      'if not ak_is_group_member(request.user, name="ops"):',
      '    return False',
      'ak_logger.info("checked", user=request.user.email)',
      'return True',
    ].join('\n');
    const r = await evaluatePolicy({ expression, user, context: { prompt_data: {} } });
    expect(r).toEqual({
      passing: true,
      messages: ['hi alice ops'],
      context: { prompt_data: { seen: true } },
      error: null,
      logs: [{ level: 'info', event: 'checked', user: 'alice@example.com' }],
    });
  });

  test('the handler gets exactly the parameters authentik passes', async () => {
    const r = await evaluatePolicy({
      expression: 'import inspect\nak_message(",".join(inspect.currentframe().f_code.co_varnames[:5]))\nreturn requests is not None and ak_is_sso_flow is False',
      user,
      context: {},
    });
    expect(r.messages).toEqual(['ak_message,ak_user_has_authenticator,ak_is_sso_flow,request,context']);
    expect(r.passing).toBe(true);
  });

  test('result: None and falsy fail, truthy passes, messages kept on failure', async () => {
    expect((await evaluatePolicy({ expression: 'ak_message("no")', user })).passing).toBe(false);
    expect(await evaluatePolicy({ expression: 'ak_message("no")\nreturn 0', user })).toMatchObject({ passing: false, messages: ['no'] });
    expect((await evaluatePolicy({ expression: 'return "yes"', user })).passing).toBe(true);
  });

  test('an exception fails the policy with its text, like authentik', async () => {
    const r = await evaluatePolicy({ expression: 'ak_message("before")\nraise ValueError("boom")', user, context: {} });
    expect(r).toMatchObject({ passing: false, messages: ['boom'], error: 'boom' });
    const s = await evaluatePolicy({ expression: 'return (', user });
    expect(s.passing).toBe(false);
    expect(s.error).toMatch(/never closed|invalid syntax|unexpected EOF/);
  });

  test('anonymous request: no user, not authenticated', async () => {
    const r = await evaluatePolicy({ expression: 'return (not request.user.is_authenticated) and request.user.attributes == {}', user: null });
    expect(r.passing).toBe(true);
  });

  test('a runaway policy is stopped by the timeout even if it catches Exception', async () => {
    const r = await evaluatePolicy({ expression: 'while True:\n    try:\n        pass\n    except Exception:\n        pass', user, timeout: 0.5 });
    expect(r.passing).toBe(false);
    expect(r.error).toMatch(/timed out/);
  });

  test('unusable input: exit 2 with a JSON error', async () => {
    const { code, stdout } = await runPython([policyAssetPath('evaluate.py')], '{"expression": 5}');
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ passing: false, error: expect.stringMatching(/invalid input/) });
    const bad = await runPython([policyAssetPath('evaluate.py')], 'not json');
    expect(bad.code).toBe(2);
  });
});
