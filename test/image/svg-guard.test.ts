// The static SVG guard on its own (no sharp, no child process): what it refuses and what it lets through.
import { describe, expect, test } from '@jest/globals';
import { ImageError } from '../../src/image/index.js';
import { decodeCssEscapes, decodeXmlReferences, checkSvg } from '../../src/image/svg-guard.js';
import { looksLikeSvg } from '../../src/image/sniff.js';
import { badSvgs, GOOD_SVGS } from './corpus.js';

const NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';
const svg = (body: string) => `<svg ${NS}>${body}</svg>`;

function refusal(text: string): string | undefined {
  try {
    checkSvg(Buffer.from(text, 'latin1'));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    return (e as Error).message;
  }
}

describe('SVG guard', () => {
  test('the corpus hostile SVGs are all refused with their reason', async () => {
    const bad = await badSvgs();
    for (const [name, c] of Object.entries(bad)) {
      if (name === 'utf7.svg' || name === 'billion-laughs.svg' || name === 'xxe.svg' || name === 'xml-stylesheet.svg' || c.svg.startsWith('<svg')) {
        expect({ name, message: refusal(c.svg) }).toEqual({ name, message: expect.stringMatching(c.reason) });
      }
    }
  });

  test.each(Object.entries(GOOD_SVGS))('legitimate %s passes', (_name, text) => {
    expect(refusal(text)).toBeUndefined();
  });

  test.each([
    ['fragment href', svg('<use href="#a"/><g id="a"/>')],
    ['empty href', svg('<a href=""><rect width="1" height="1"/></a>')],
    ['char-ref encoded fragment', svg('<use href="&#x23;a"/><g id="a"/>')],
    ['xlink prefix bound to another name', `<svg xmlns="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink"><use l:href="#a"/><g id="a"/></svg>`],
    ['url(#id) with quotes and spaces', svg('<rect style="fill: url( \'#g\' )"/><linearGradient id="g"/>')],
    ['a moderate <use> fan-out (10×10×10)', svg(`<g id="a"><rect width="1" height="1"/></g><g id="b">${'<use href="#a"/>'.repeat(10)}</g><g id="c">${'<use href="#b"/>'.repeat(10)}</g>${'<use href="#c"/>'.repeat(10)}`)],
    ['words like "image" in text', svg('<text>an image of a script</text>')],
    ['data-href is not href', svg('<rect data-href="http://x" width="1" height="1"/>')],
  ])('accepts %s', (_what, text) => {
    expect(refusal(text)).toBeUndefined();
  });

  test.each([
    ['href split by a char-ref quote', svg('<use href="&#x22;http://evil/x#a"/>'), /href pointing outside/],
    ['decimal char refs', svg('<use href="&#104;&#116;&#116;&#112;://evil/#a"/>'), /href pointing outside.*http:\/\/evil/],
    ['char refs without ;', svg('<use href="&#x68&#x74tp://evil/#a"/>'), /href pointing outside/],
    ['data: href on <use>', svg('<use href="data:image/svg+xml;base64,PHN2Zy8+#a"/>'), /href pointing outside the document \(data:/],
    ['relative href', svg('<use href="other.svg#a"/>'), /href pointing outside/],
    ['single-quoted external href', svg("<use xlink:href='https://evil/x#a'/>"), /xlink:href pointing outside/],
    ['unquoted href', svg('<use href=http://evil/x/>'), /href attribute that could not be checked/],
    ['uppercase prefixed IMAGE', svg('<x:IMAGE xmlns:x="http://www.w3.org/2000/svg"/>'), /<IMAGE> element/],
    ['CSS url() with char-ref', svg('<rect style="fill:u&#x72;l(http://evil/p)"/>'), /CSS url\(\)/],
    ['CSS url() in a presentation attribute', svg('<rect fill="url(http://evil/p#g)"/>'), /CSS url\(\)/],
    ['CSS escaped @import', svg('<style>@\\69mport "http://evil/a.css";</style>'), /@import/],
    ['CSS url() in CDATA', svg('<style><![CDATA[ rect { fill: url("//evil/p") } ]]></style>'), /CSS url\(\)/],
    ['entity declared in an external-looking DOCTYPE', `<!DOCTYPE svg [ <!ENTITY a "b"> ]>${svg('')}`, /entity declaration/],
    ['internal subset without ENTITY', `<!DOCTYPE svg [ <!ATTLIST svg x CDATA "y"> ]>${svg('')}`, /internal DTD subset/],
    ['external DTD with a file: system id', `<!DOCTYPE svg SYSTEM "file:///etc/passwd">${svg('')}`, /external DTD file:/],
    ['animated href', svg('<use href="#a"><set attributeName="xlink:href" to="http://evil/x#a"/></use><g id="a"/>'), /animated href/],
    ['NUL byte', `${svg('')}\0`, /NUL/],
    ['use cycle through two elements', svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'), /circular/],
    ['pattern fan-out through url(#id)', svg(`<g id="p0"><rect width="1" height="1"/></g>${Array.from({ length: 6 }, (_, i) => `<g id="p${i + 1}">${`<rect fill="url(#p${i})"/>`.repeat(10)}</g>`).join('')}<rect fill="url(#p6)"/>`), /expand to more than/],
    ['too many elements', svg('<rect/>'.repeat(50_001)), /more than 50000 elements/],
    ['unterminated comment', svg('<!-- '), /damaged image: malformed SVG/],
  ])('refuses %s', (_what, text, reason) => {
    expect(refusal(text)).toMatch(reason);
  });

  test('deep nesting and long reference chains are handled without recursion limits', () => {
    const deep = svg(`${'<g>'.repeat(15_000)}${'</g>'.repeat(15_000)}`);
    expect(refusal(deep)).toBeUndefined();
    const chain = svg(Array.from({ length: 15_000 }, (_, i) => `<g id="c${i}"><use href="#c${i + 1}"/></g>`).join('') + '<g id="c15000"/>');
    const t0 = performance.now();
    // Every top-level <g> redraws the rest of the chain: n²/2 elements drawn, correctly refused (without a stack overflow).
    expect(refusal(chain)).toMatch(/expand to more than 20000 drawn elements/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test('decoders', () => {
    expect(decodeXmlReferences('&#x68;&#116;tp&amp;&lt;&quot;&apos;&gt;&unknown;&#x110000;')).toBe('http&<"\'>&unknown;\uFFFD');
    expect(decodeCssEscapes('\\75 rl(\\000068ttp) \\@import')).toBe('url(http) @import');
  });

  test('SVG sniffing looks past prolog, comments and DOCTYPE, never at binary data', () => {
    expect(looksLikeSvg(Buffer.from('\uFEFF<?xml version="1.0"?><!-- c --><!DOCTYPE svg [ <!ENTITY a "b"> ]>\n<svg/>'))).toBe(true);
    expect(looksLikeSvg(Buffer.from('<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>'))).toBe(true);
    expect(looksLikeSvg(Buffer.from('<html><svg/></html>'))).toBe(false);
    expect(looksLikeSvg(Buffer.concat([Buffer.from('<svg>'), Buffer.alloc(10)]))).toBe(false);
    expect(looksLikeSvg(Buffer.from('<svgfoo/>'))).toBe(false);
  });
});
