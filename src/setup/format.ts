// Human text for plans: one line per object, terraform-like symbols.
//   + create prompt default-user-settings-field-avatar
//   ~ update prompt stage default-user-settings (fields: [… 4] → [… 4, a, b])
//   = unchanged setting avatars
// Colour functions are injected so this stays free of chalk.
import type { Action, Change, Plan, Ref } from './types.js';

export interface Paint {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  dim(s: string): string;
}

const plain: Paint = { green: (s) => s, yellow: (s) => s, red: (s) => s, dim: (s) => s };

const SYMBOL: Record<Action['kind'], string> = { create: '+', update: '~', adopt: '~', delete: '-', unchanged: '=' };

function isRefList(v: unknown): v is Ref[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** A list of refs: names where known, runs of unnamed entries collapsed to "… N". */
export function formatRefs(refs: Ref[]): string {
  const parts: string[] = [];
  let unnamed = 0;
  const flush = () => {
    if (unnamed) parts.push(`… ${unnamed}`);
    unnamed = 0;
  };
  for (const r of refs) {
    if (r.name === undefined) {
      unnamed++;
      continue;
    }
    flush();
    parts.push(r.name);
  }
  flush();
  return `[${parts.join(', ')}]`;
}

function formatValue(v: unknown): string {
  if (isRefList(v)) return formatRefs(v);
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}

export function formatChange(c: Change): string {
  return `${c.field}: ${formatValue(c.old)} → ${formatValue(c.new)}`;
}

export function formatAction(a: Action, paint: Paint = plain): string {
  const sym = SYMBOL[a.kind];
  const color = a.kind === 'create' ? paint.green : a.kind === 'delete' ? paint.red : a.kind === 'unchanged' ? paint.dim : paint.yellow;
  let line = `${sym} ${a.kind} ${a.object} ${a.name}`;
  if (a.note) line += `: ${a.note}`;
  if (a.changes.length && a.kind !== 'create') line += ` (${a.changes.map(formatChange).join('; ')})`;
  return color(line);
}

export function formatPlan(p: Plan, paint: Paint = plain): string[] {
  const lines = p.actions.map((a) => formatAction(a, paint));
  for (const n of p.notes) lines.push(paint.dim(`  note: ${n}`));
  return lines;
}

/** What JSON output shows of a plan: no request bodies (the policy code is long), refs as they are. */
export function planJson(p: Plan): unknown {
  return {
    actions: p.actions.map((a) => ({
      kind: a.kind,
      object: a.object,
      name: a.name,
      ...(a.pk ? { pk: a.pk } : {}),
      ...(a.flow ? { flow: a.flow } : {}),
      ...(a.note ? { note: a.note } : {}),
      changes: a.changes,
    })),
    notes: p.notes,
    ...(p.env ? { env: p.env } : {}),
  };
}
