// The measurement loop. Every compared variant runs once per round, back to back, and the order rotates
// from round to round: a burst of load from a neighbour then hits all variants alike instead of one of them,
// and the per-round (paired) ratios stay meaningful on a busy machine.
import { summarize, paired } from './stats.js';

/**
 * @template S
 * @param {{
 *   label: string,
 *   variants: Array<{ name: string, run: (round: number) => Promise<S & { ms: number, maxRssKb?: number }> }>,
 *   rounds: number,
 *   warmup?: number,
 *   reference?: string,          // variant name ratios are taken against
 *   log?: (line: string) => void,
 * }} spec
 */
export async function interleave(spec) {
  const { variants, rounds, warmup = 1 } = spec;
  const log = spec.log ?? (() => {});
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = -warmup; r < rounds; r++) {
    const k = variants.length;
    const start = ((r % k) + k) % k;
    const order = variants.slice(start).concat(variants.slice(0, start));
    for (const v of order) {
      const s = await v.run(r);
      if (r >= 0) samples[v.name].push(s);
    }
    if (r >= 0) log(`  ${spec.label}: round ${r + 1}/${rounds}`);
  }
  return analyse(samples, spec.reference ?? variants[0].name);
}

/** Turn raw samples into summaries and paired comparisons against the reference variant. */
export function analyse(samples, reference) {
  const out = { reference, variants: {} };
  const refMs = (samples[reference] ?? []).map((s) => s.ms);
  for (const [name, list] of Object.entries(samples)) {
    const ms = list.map((s) => s.ms);
    const rss = list.map((s) => s.maxRssKb).filter((v) => Number.isFinite(v));
    out.variants[name] = {
      ms: summarize(ms),
      rssKb: rss.length ? { ...summarize(rss) } : undefined,
      vsReference: name === reference ? undefined : paired(ms, refMs),
      samples: list,
    };
  }
  return out;
}
