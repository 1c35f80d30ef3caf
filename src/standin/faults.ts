// Fault injection: per method + path, optionally after letting the first N matching requests
// through, and optionally limited to a number of uses.
import type { Fault } from './types.js';

interface ActiveFault extends Fault {
  skip: number; // matching requests still to let through (`after`)
  remaining: number; // times still to fire (`times`)
}

/** Normalises '/api/v3/core/users/', 'core/users', '/core/users/' to 'core/users'. */
function normPath(p: string): string {
  return p.replace(/^\/?api\/v3\//, '').replace(/^\/+|\/+$/g, '');
}

export class FaultSet {
  private list: ActiveFault[] = [];

  add(f: Fault): void {
    this.list.push({ ...f, skip: Math.max(0, f.after ?? 0), remaining: f.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.list = [];
  }

  private matches(f: ActiveFault, method: string, pathname: string): boolean {
    if (f.method && f.method.toUpperCase() !== method.toUpperCase()) return false;
    if (f.path instanceof RegExp) return f.path.test(pathname);
    return normPath(f.path) === normPath(pathname);
  }

  /**
   * Takes (and counts down) the faults for a request: every matching latency fault, plus the
   * first matching status/reset/drop-response fault. Faults added first win. A fault still in its
   * `after` phase counts every matching request, including ones another fault answered, so
   * "after: 1" always means "from the second matching request on".
   */
  take(method: string, pathname: string): { latencyMs: number; fault: Fault | null } {
    let latencyMs = 0;
    let fault: Fault | null = null;
    for (const f of this.list) {
      if (f.remaining <= 0 || !this.matches(f, method, pathname)) continue;
      if (f.skip > 0) {
        f.skip -= 1;
        continue;
      }
      if (f.kind === 'latency') {
        latencyMs += f.ms ?? 0;
        f.remaining -= 1;
      } else if (!fault) {
        fault = f;
        f.remaining -= 1;
      }
    }
    this.list = this.list.filter((f) => f.remaining > 0);
    return { latencyMs, fault };
  }
}

/** Default bodies like authentik/DRF would send for the injected status. */
export function defaultFaultBody(status: number, retryAfter?: number): unknown {
  if (status === 429) {
    // rest_framework.exceptions.Throttled
    return retryAfter !== undefined
      ? { detail: `Request was throttled. Expected available in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.` }
      : { detail: 'Request was throttled.' };
  }
  if (status === 503) return { detail: 'Service Unavailable' };
  if (status >= 500) return { detail: 'Internal Server Error' };
  return { detail: `HTTP ${status}` };
}
