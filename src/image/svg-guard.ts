// A conservative static check of an SVG before librsvg ever sees it.
//
// Why: librsvg loads data: URLs (an embedded raster is decoded outside sharp's limitInputPixels: a 41 KB SVG cost
// 2.3 GB RSS and 7 s), follows xlink:href/url()/@import/xml-stylesheet, expands <use> recursively (a fan-out bomb
// still takes ~4 s even with sharp's timeout), and libxml2 handles DTDs/entities. An avatar needs none of that, so we
// refuse it rather than try to sanitise it. What this cannot see (e.g. costly filters, markers on huge paths) is
// bounded by the wall-clock limit of the rasterising child process (svg-render.ts).
import { damaged, unsafeSvg } from './errors.js';
import { SVG_MAX_ELEMENTS, SVG_MAX_RENDERED_ELEMENTS } from './limits.js';

const ALLOWED_ENCODINGS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'iso-8859-15']);

/** Elements that load or execute something, matched with or without a namespace prefix. */
const FORBIDDEN_ELEMENT =
  /<\s*(?:[A-Za-z_][\w.-]*:)?(image|feImage|script|foreignObject|iframe|include|handler|listener|object|embed|audio|video)(?![\w.-])/i;

const PREFIXED_NAME = '(?:[A-Za-z_][\\w.-]*:)?';
/** href / xlink:href / any-prefix:href attribute with a quoted value, in the RAW text (quotes are unambiguous there). */
const HREF_ATTR = new RegExp(`(?<=^|[\\s"'])(${PREFIXED_NAME}href)\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'gi');
const ANY_HREF = /(?<![\w.-])href\s*=/gi;

/**
 * Throws ImageError ("unsafe SVG: <reason>" or "damaged image: ...") unless the SVG is plain vector drawing.
 * `bytes` is the whole file (already capped at 2 MB by the caller).
 */
export function checkSvg(bytes: Buffer): void {
  if (bytes.includes(0)) throw unsafeSvg('binary data (NUL byte) in the file');
  // latin1 keeps every byte as one char, so the ASCII keywords we look for can't be hidden by a decoding error;
  // multi-byte UTF-8 never produces ASCII bytes.
  let raw = bytes.toString('latin1');
  if (raw.startsWith('\xEF\xBB\xBF')) raw = raw.slice(3);

  const decl = /^\s*<\?xml\b[^?]*?\bencoding\s*=\s*["']([^"']*)["']/i.exec(raw);
  if (decl && !ALLOWED_ENCODINGS.has((decl[1] ?? '').trim().toLowerCase())) {
    throw unsafeSvg(`unsupported character encoding ${JSON.stringify(decl[1])}`);
  }

  if (/<!ENTITY/i.test(raw)) throw unsafeSvg('entity declaration (<!ENTITY>)');
  if (/<!DOCTYPE[^>]*\[/i.test(raw)) throw unsafeSvg('internal DTD subset in <!DOCTYPE>');
  if (/<\?xml-stylesheet/i.test(raw)) throw unsafeSvg('external stylesheet (<?xml-stylesheet?>)');
  checkDoctype(raw);

  // Decoded views: character references (&#x68;ttp) and, for CSS, backslash escapes (\75 rl( is url().
  const decoded = decodeXmlReferences(raw);
  const cssView = decodeCssEscapes(decoded);
  for (const view of [raw, decoded, cssView]) {
    const el = FORBIDDEN_ELEMENT.exec(view);
    if (el) throw unsafeSvg(`<${el[1]}> element`);
  }

  checkHrefs(raw);

  for (const view of [decoded, cssView]) {
    if (/@import/i.test(view)) throw unsafeSvg('CSS @import');
    for (const m of view.matchAll(/url\s*\(\s*(['"]?)\s*([^)'"]*)/gi)) {
      const target = (m[2] ?? '').trim();
      if (!target.startsWith('#')) throw unsafeSvg(`CSS url() pointing outside the document (${preview(target)})`);
    }
  }

  checkStructure(raw);
}

/**
 * An external DTD is only tolerated when it is the W3C's own (the usual `<!DOCTYPE svg PUBLIC ... svg11.dtd>`):
 * librsvg doesn't load DTDs today, but a file: or other system identifier has no business in an avatar.
 */
function checkDoctype(raw: string): void {
  for (const m of raw.matchAll(/<!DOCTYPE([^>]*)>/gi)) {
    for (const lit of (m[1] ?? '').matchAll(/"([^"]*)"|'([^']*)'/g)) {
      const value = (lit[1] ?? lit[2] ?? '').trim();
      const isPublicId = value.startsWith('-//') || value.startsWith('+//');
      if (!isPublicId && !/^https?:\/\/www\.w3\.org\//i.test(value)) throw unsafeSvg(`external DTD ${preview(value)}`);
    }
  }
}

function checkHrefs(raw: string): void {
  // <set>/<animate> could change an href after our check if a renderer ever animated; librsvg doesn't, refuse anyway.
  if (/attributeName\s*=\s*["']\s*(?:[A-Za-z_][\w.-]*:)?href/i.test(decodeXmlReferences(raw))) throw unsafeSvg('animated href');
  let attributes = 0;
  for (const m of raw.matchAll(HREF_ATTR)) {
    attributes++;
    const value = decodeXmlReferences(m[2] ?? m[3] ?? '').trim();
    if (value !== '' && !value.startsWith('#')) {
      throw unsafeSvg(`${m[1]} pointing outside the document (${preview(value)})`);
    }
  }
  // Every "href=" must have been one of the quoted attributes above; anything else (unquoted, odd spacing the
  // regex didn't expect) is refused rather than guessed at.
  const mentions = raw.match(ANY_HREF)?.length ?? 0;
  if (mentions !== attributes) throw unsafeSvg('href attribute that could not be checked');
}

function preview(value: string): string {
  const v = value.replace(/\s+/g, ' ');
  return v.length > 40 ? `${v.slice(0, 39)}…` : v;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes &#x..; &#..; and the five XML named references (a missing ';' is tolerated to stay on the safe side). */
export function decodeXmlReferences(text: string): string {
  return text.replace(/&(?:#x([0-9a-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));?/gi, (all, hex?: string, dec?: string, name?: string) => {
    if (name !== undefined) return NAMED[name.toLowerCase()] ?? all;
    const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
    return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
  });
}

/** CSS escapes: "\75 " or "\000075" (hex, optional trailing space) and "\x" for any other character. */
export function decodeCssEscapes(text: string): string {
  return text.replace(/\\(?:([0-9a-f]{1,6})\s?|([^\n0-9a-f]))/gi, (_all, hex?: string, ch?: string) => {
    if (ch !== undefined) return ch;
    const code = parseInt(hex ?? '', 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
  });
}

interface Node {
  name: string;
  refs: string[]; // ids this element draws again: <use href="#x">, fill="url(#x)", ...
  children: number[];
}

/**
 * Tokenises the element tree (no DTD left at this point) to bound the work librsvg would do: the number of elements,
 * and the number of elements drawn once every <use> / url(#id) reference is expanded (a 10-level, 10-way <use>
 * fan-out draws 10^10 elements from a 2 KB file).
 */
function checkStructure(raw: string): void {
  const nodes: Node[] = [{ name: '#document', refs: [], children: [] }];
  const ids = new Map<string, number>();
  const open: number[] = [0];
  let i = 0;
  for (;;) {
    const lt = raw.indexOf('<', i);
    if (lt < 0) break;
    if (raw.startsWith('<!--', lt)) i = after(raw, '-->', lt + 4);
    else if (raw.startsWith('<![CDATA[', lt)) i = after(raw, ']]>', lt + 9);
    else if (raw.startsWith('<?', lt)) i = after(raw, '?>', lt + 2);
    else if (raw.startsWith('<!', lt)) i = after(raw, '>', lt + 2);
    else if (raw.startsWith('</', lt)) {
      i = after(raw, '>', lt + 2);
      if (open.length > 1) open.pop();
    } else {
      const tag = parseStartTag(raw, lt);
      const index = nodes.length;
      if (index > SVG_MAX_ELEMENTS) throw unsafeSvg(`more than ${SVG_MAX_ELEMENTS} elements`);
      const node: Node = { name: tag.name.replace(/^.*:/, ''), refs: [], children: [] };
      for (const [attr, rawValue] of tag.attributes) {
        const local = attr.replace(/^.*:/, '').toLowerCase();
        const value = decodeXmlReferences(rawValue);
        if (local === 'id') ids.set(value.trim(), index);
        else if (local === 'href' && node.name === 'use') {
          const target = value.trim();
          if (target.startsWith('#')) node.refs.push(target.slice(1));
        }
        for (const m of value.matchAll(/url\s*\(\s*['"]?\s*#([^)'"\s]*)/gi)) node.refs.push(m[1] ?? '');
      }
      nodes.push(node);
      (nodes[open[open.length - 1] as number] as Node).children.push(index);
      if (!tag.selfClosing) open.push(index);
      i = tag.end;
    }
  }
  const drawn = expandedCount(nodes, ids);
  if (drawn > SVG_MAX_RENDERED_ELEMENTS) {
    throw unsafeSvg(`<use>/url() references expand to more than ${SVG_MAX_RENDERED_ELEMENTS} drawn elements`);
  }
}

function after(raw: string, marker: string, from: number): number {
  const end = raw.indexOf(marker, from);
  if (end < 0) throw damaged('malformed SVG (unterminated markup)');
  return end + marker.length;
}

function parseStartTag(raw: string, lt: number): { name: string; attributes: Array<[string, string]>; selfClosing: boolean; end: number } {
  const nameMatch = /<([^\s/>]+)/y;
  nameMatch.lastIndex = lt;
  const nm = nameMatch.exec(raw);
  if (!nm) throw damaged('malformed SVG (bad element name)');
  const attributes: Array<[string, string]> = [];
  const attr = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
  const close = /\s*(\/?)>/y;
  let pos = lt + nm[0].length;
  for (;;) {
    close.lastIndex = pos;
    const c = close.exec(raw);
    if (c) return { name: nm[1] as string, attributes, selfClosing: c[1] === '/', end: close.lastIndex };
    attr.lastIndex = pos;
    const a = attr.exec(raw);
    if (!a) throw damaged('malformed SVG (bad attribute)');
    attributes.push([a[1] as string, a[2] ?? a[3] ?? '']);
    pos = attr.lastIndex;
  }
}

/** Elements drawn with every reference expanded; iterative (no recursion limit), memoised, cycles refused. */
function expandedCount(nodes: Node[], ids: Map<string, number>): number {
  const cap = SVG_MAX_RENDERED_ELEMENTS + 1;
  const cost = new Float64Array(nodes.length);
  const state = new Uint8Array(nodes.length); // 0 new, 1 in progress, 2 done
  const deps = (n: number): number[] => {
    const node = nodes[n] as Node;
    const out = [...node.children];
    for (const ref of node.refs) {
      const target = ids.get(ref);
      if (target !== undefined) out.push(target);
    }
    return out;
  };
  const stack: Array<{ n: number; deps: number[]; k: number }> = [{ n: 0, deps: deps(0), k: 0 }];
  state[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { n: number; deps: number[]; k: number };
    if (top.k < top.deps.length) {
      const d = top.deps[top.k++] as number;
      if (state[d] === 1) throw unsafeSvg('circular <use>/url() reference');
      if (state[d] === 0) {
        state[d] = 1;
        stack.push({ n: d, deps: deps(d), k: 0 });
      }
      continue;
    }
    let sum = 1;
    for (const d of top.deps) sum = Math.min(cap, sum + (cost[d] as number));
    cost[top.n] = sum;
    state[top.n] = 2;
    stack.pop();
  }
  return cost[0] as number;
}
