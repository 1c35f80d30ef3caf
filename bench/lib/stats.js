// Small, dependency-free statistics for the bench. Medians and quartiles rather than means:
// on a shared 2-core machine a few samples are always wrecked by a neighbour, and a mean follows them.

/** Quantile by linear interpolation between closest ranks (the same rule as R's type 7 / numpy default). */
export function quantile(values, q) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** Summary of one series of samples. */
export function summarize(values) {
  const xs = values.filter((v) => Number.isFinite(v));
  return {
    n: xs.length,
    median: quantile(xs, 0.5),
    q1: quantile(xs, 0.25),
    q3: quantile(xs, 0.75),
    min: xs.length ? Math.min(...xs) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
  };
}

/**
 * Paired comparison of two series measured in the same rounds (a[i] and b[i] ran back to back).
 * The per-round ratio cancels slow drifts of the machine's load, which a ratio of two medians does not.
 */
export function paired(a, b) {
  const ratios = [];
  const diffs = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] > 0) {
      ratios.push(a[i] / b[i]);
      diffs.push(a[i] - b[i]);
    }
  }
  return { ratio: summarize(ratios), diff: summarize(diffs) };
}

// ---- formatting ------------------------------------------------------------------------------

export function fmtMs(v) {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 100) return `${Math.round(v)}`;
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** "43.1 ms (IQR 41.9–45.0, min–max 40.2–60.3, n=7)" shortened for tables: "43.1 (41.9–45.0)" */
export function fmtSpread(s, unit = '') {
  if (!s || !s.n) return 'n/a';
  const u = unit ? ` ${unit}` : '';
  return `${fmtMs(s.median)}${u} (${fmtMs(s.q1)}–${fmtMs(s.q3)})`;
}

export function fmtRange(s) {
  if (!s || !s.n) return 'n/a';
  return `${fmtMs(s.min)}–${fmtMs(s.max)}`;
}

export function fmtRatio(v) {
  if (!Number.isFinite(v)) return 'n/a';
  return v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}

export function fmtMB(kb) {
  if (!Number.isFinite(kb)) return 'n/a';
  return `${(kb / 1024).toFixed(0)} MB`;
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return 'n/a';
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
