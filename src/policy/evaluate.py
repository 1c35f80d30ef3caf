#!/usr/bin/env python3
"""Run an authentik expression policy the way authentik does, outside authentik.

Used by ak-avatars' tests and by its authentik stand-in (POST /policies/all/{uuid}/test/).
It mirrors authentik/lib/expression/evaluator.py (BaseEvaluator.wrap_expression/evaluate) and
authentik/policies/expression/evaluator.py (PolicyEvaluator): the expression becomes the body of
`def handler(<context names>):`, is exec'd with the helper functions as globals and the context as
locals, and `result = handler(...)` decides the outcome.

stdin (JSON):
  {
    "expression": "<policy body>",
    "user": {"pk": 7, "username": "alice", "email": "a@example.com", "name": "Alice",
             "is_superuser": false, "groups": ["ops"], "attributes": {...}}   (or null: anonymous)
    "context": {...},                      # becomes request.context (and `context`), e.g. {"prompt_data": {...}}
    "request_user_authenticated": true,    # optional, default: true when a user is given
    "timeout": 30                          # optional, seconds (authentik's binding default)
  }
stdout (JSON, one document):
  {"passing": bool, "messages": [str], "context": <request.context after the run>,
   "error": str | null, "logs": [{"level": str, "event": str, ...}]}
An exception (including a syntax error) gives passing=false, messages=[str(exc)] and error=str(exc),
as authentik's PolicyProcess does. Exit code 0 whenever a result was printed; 2 for unusable input.
"""

import ipaddress
import json
import re
import signal
import sys
import textwrap
import unicodedata

ARG_SANITIZE = re.compile(r"[:.-]")


def slugify(value):
    """django.utils.text.slugify (allow_unicode=False)."""
    value = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value.lower())
    return re.sub(r"[-\s]+", "-", value).strip("-_")


def sanitize_arg(name):
    return re.sub(ARG_SANITIZE, "_", slugify(name))


def wrap_expression(expression, context_keys):
    """Same text authentik compiles: BaseEvaluator.wrap_expression."""
    signature = ",".join([x for x in [sanitize_arg(k) for k in context_keys] if x])
    full = "def handler(%s):\n" % signature
    full += textwrap.indent(expression, "    ")
    full += "\nresult = handler(%s)" % signature
    return full


# The names PolicyEvaluator puts into the context (they become the handler's parameters), in its order.
CONTEXT_KEYS = ["ak_message", "ak_user_has_authenticator", "ak_is_sso_flow", "request", "context"]


def compile_expression(expression, filename="ak-avatars-policy"):
    """Raises SyntaxError/ValueError like authentik's validate() (which the API turns into a 400)."""
    return compile(wrap_expression(expression, CONTEXT_KEYS), filename, "exec")


class PolicyTimeout(BaseException):
    """BaseException so a policy's `except Exception/OSError` cannot swallow it."""


class Logger:
    """Stands in for the structlog logger (ak_logger): keeps the events for the output."""

    def __init__(self, sink):
        self._sink = sink

    def bind(self, **_kwargs):
        return self

    def _log(self, level, event, **kwargs):
        entry = {"level": level, "event": str(event)}
        entry.update(kwargs)
        self._sink.append(entry)

    def debug(self, event, **kw):
        self._log("debug", event, **kw)

    def info(self, event, **kw):
        self._log("info", event, **kw)

    def warning(self, event, **kw):
        self._log("warning", event, **kw)

    warn = warning

    def error(self, event, **kw):
        self._log("error", event, **kw)

    def exception(self, event, **kw):
        self._log("error", event, **kw)

    def critical(self, event, **kw):
        self._log("critical", event, **kw)


class StubUser:
    def __init__(self, data, authenticated):
        data = data or {}
        self.pk = data.get("pk")
        self.id = self.pk
        self.uuid = data.get("uuid")
        self.username = data.get("username", "")
        self.email = data.get("email", "")
        self.name = data.get("name", "")
        self.is_superuser = bool(data.get("is_superuser", False))
        self.is_active = bool(data.get("is_active", True))
        self.groups = list(data.get("groups", []))
        attributes = data.get("attributes", {})
        self.attributes = attributes if isinstance(attributes, dict) else {}
        self.is_authenticated = bool(authenticated)
        self.is_anonymous = not self.is_authenticated

    def __str__(self):
        return self.username


class StubPolicyRequest:
    def __init__(self, user, context):
        self.user = user
        self.context = context
        self.http_request = None
        self.obj = None
        self.debug = True

    def __str__(self):
        return "<PolicyRequest user=%s>" % self.user


class LazyRequests:
    """authentik passes a requests session as `requests`; importing requests costs ~80 ms, so only on use.
    Without the library any use fails like a network error would."""

    def __getattr__(self, name):
        try:
            import requests
        except ImportError as exc:
            raise RuntimeError("requests is not available in this evaluator") from exc
        return getattr(requests, name)


def make_globals(logs):
    http = LazyRequests()

    def ak_is_group_member(user, **filters):
        name = filters.get("name")
        return name is not None and name in getattr(user, "groups", [])

    # Helpers authentik offers that this harness deliberately does not model (our policy uses none):
    # calling one fails the run the way an exception fails a policy in authentik.
    def unsupported(name):
        def call(*_args, **_kwargs):
            raise RuntimeError(name + " is not modelled by this harness (authentik provides it)")
        return call

    return {
        "ak_call_policy": unsupported("ak_call_policy"),
        "ak_create_event": lambda *_a, **_k: None,
        "ak_create_jwt": lambda *_a, **_k: None,
        "ak_create_jwt_raw": unsupported("ak_create_jwt_raw"),
        "ak_is_group_member": ak_is_group_member,
        "ak_logger": Logger(logs),
        "ak_send_email": lambda *_a, **_k: False,
        "ak_user_by": lambda **_k: None,
        "ak_user_has_authenticator": lambda *_a, **_k: False,
        "ip_address": ipaddress.ip_address,
        "ip_network": ipaddress.ip_network,
        "list_flatten": lambda v: (v[0] if v else None) if isinstance(v, list) else v,
        "regex_match": lambda value, regex: re.search(regex, value) is not None,
        "regex_replace": lambda value, regex, repl: re.sub(regex, repl, value),
        "requests": http,
        "resolve_dns": lambda *_a, **_k: [],
        "reverse_dns": lambda ip, *_a: ip,
        "slugify": slugify,
    }


def evaluate(payload):
    expression = payload.get("expression")
    if not isinstance(expression, str):
        raise ValueError("'expression' must be a string")
    context = payload.get("context")
    if context is None:
        context = {}
    if not isinstance(context, dict):
        raise ValueError("'context' must be an object")
    user_data = payload.get("user")
    authenticated = payload.get("request_user_authenticated", user_data is not None)
    user = StubUser(user_data if isinstance(user_data, dict) else None, authenticated)
    request = StubPolicyRequest(user, context)

    logs = []
    messages = []
    local_context = {
        "ak_message": lambda message: messages.append(str(message)),
        "ak_user_has_authenticator": lambda *_a, **_k: False,
        "ak_is_sso_flow": context.get("is_sso", False),
        "request": request,
        "context": context,
    }
    result = {"passing": False, "messages": messages, "context": context, "error": None, "logs": logs}
    timeout = payload.get("timeout", 30)

    def on_alarm(_signum, _frame):
        raise PolicyTimeout("Policy timed out after %s seconds" % timeout)

    use_alarm = hasattr(signal, "SIGALRM") and isinstance(timeout, (int, float)) and timeout > 0
    if use_alarm:
        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout))
    try:
        code = compile(wrap_expression(expression, list(local_context.keys())), "ak-avatars-policy", "exec")
        _locals = {sanitize_arg(k): v for k, v in local_context.items()}
        exec(code, make_globals(logs), _locals)  # noqa: S102  (this is what authentik does)
        value = _locals["result"]
        # PolicyEvaluator: None -> failing, truthy -> passing, messages kept either way.
        result["passing"] = bool(value) if value is not None else False
    except (Exception, PolicyTimeout) as exc:  # authentik: PolicyResult(failure_result, str(exc))
        text = str(exc) or exc.__class__.__name__
        result["passing"] = False
        result["messages"] = [text]
        result["error"] = text
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return result


def main():
    try:
        payload = json.loads(sys.stdin.read())
        if not isinstance(payload, dict):
            raise ValueError("input must be a JSON object")
    except ValueError as exc:
        out = {"passing": False, "messages": [], "context": None, "error": "invalid input: %s" % exc, "logs": []}
        sys.stdout.write(json.dumps(out) + "\n")
        return 2
    try:
        out = evaluate(payload)
    except ValueError as exc:
        out = {"passing": False, "messages": [], "context": None, "error": "invalid input: %s" % exc, "logs": []}
        sys.stdout.write(json.dumps(out) + "\n")
        return 2
    sys.stdout.write(json.dumps(out, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
