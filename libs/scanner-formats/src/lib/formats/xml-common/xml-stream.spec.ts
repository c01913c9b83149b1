import { ReportParseError } from '../../core/errors';
import type { ReportSource } from '../../core/types';
import { childElements, childText } from './xml-element';
import { streamXmlElements, type CollectedElement, type XmlStreamOptions } from './xml-stream';

const OPTIONS: XmlStreamOptions = {
  format: 'zap-xml',
  root: 'report',
  collect: ['report/meta', 'report/items/item'],
  skip: ['bulky'],
};

/** A source that hands the text over in pieces of `size` bytes, to cross every boundary. */
function chunkedSource(text: string, size: number): ReportSource {
  const bytes = Buffer.from(text, 'utf8');
  return {
    head: text.slice(0, 1000),
    size: bytes.length,
    async *chunks() {
      for (let offset = 0; offset < bytes.length; offset += size) {
        yield bytes.subarray(offset, offset + size);
      }
    },
    text: () => Promise.resolve(text),
  };
}

async function collect(source: ReportSource, options = OPTIONS): Promise<CollectedElement[]> {
  const out: CollectedElement[] = [];
  for await (const item of streamXmlElements(source, options)) out.push(item);
  return out;
}

async function failure(text: string, options = OPTIONS): Promise<ReportParseError> {
  try {
    await collect(chunkedSource(text, 65_536), options);
  } catch (error) {
    if (error instanceof ReportParseError) return error;
    throw error;
  }
  throw new Error('expected the XML to be rejected');
}

const DOCUMENT = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<report version="7">
  <meta><tool>scan</tool></meta>
  <items group="g1">
    <item id="1"><name>caf\u00e9 &amp; cr\u00e8me</name><bulky><huge>x</huge></bulky></item>
    <item id="2"><name><![CDATA[<b>raw</b>]]></name><tags><tag>a</tag><tag>b</tag></tags></item>
    <other><item id="3"/></other>
  </items>
</report>`;

describe('streamXmlElements', () => {
  it('yields only the requested subtrees, in document order, with their ancestors', async () => {
    const items = await collect(chunkedSource(DOCUMENT, 65_536));
    expect(items.map((item) => item.path)).toEqual([
      'report/meta',
      'report/items/item',
      'report/items/item',
    ]);
    const [meta, first, second] = items as [CollectedElement, CollectedElement, CollectedElement];
    expect(childText(meta.element, 'tool')).toBe('scan');
    expect(first.element.attributes).toEqual({ id: '1' });
    expect(childText(first.element, 'name')).toBe('caf\u00e9 & cr\u00e8me');
    expect(second.ancestors.map((a) => a.name)).toEqual(['report', 'items']);
    expect(second.ancestors[1]!.attributes).toEqual({ group: 'g1' });
    expect(childText(second.element, 'name')).toBe('<b>raw</b>');
    const tags = childElements(second.element.children[1]!, 'tag').map((t) => t.text);
    expect(tags).toEqual(['a', 'b']);
  });

  it('never builds skipped elements', async () => {
    const [, first] = await collect(chunkedSource(DOCUMENT, 65_536));
    expect(first!.element.children.map((child) => child.name)).toEqual(['name']);
  });

  it('gives the same result whatever the chunk boundaries, multi-byte characters included', async () => {
    const whole = await collect(chunkedSource(DOCUMENT, 65_536));
    for (const size of [1, 2, 3, 7, 64]) {
      const pieces = await collect(chunkedSource(DOCUMENT, size));
      expect(
        pieces.map((p) => childText(p.element, 'name') ?? childText(p.element, 'tool')),
      ).toEqual(whole.map((p) => childText(p.element, 'name') ?? childText(p.element, 'tool')));
    }
  });

  it('reports where a truncated document ends', async () => {
    const error = await failure('<report>\n  <items>\n    <item id="1"><name>x</name>');
    expect(error.message).toMatch(/malformed XML: unclosed tag/);
    expect(error.location.line).toBe(3);
    expect(error.location.column).toBeGreaterThan(0);
  });

  it('reports mismatched tags with their line', async () => {
    const error = await failure('<report>\n<items>\n<item></name></item></items></report>');
    expect(error.message).toMatch(/malformed XML/);
    expect(error.location.line).toBe(3);
  });

  it('refuses a DOCTYPE, so an XXE payload is never expanded', async () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><items><item><name>&xxe;</name></item></items></report>`;
    const error = await failure(xxe);
    expect(error.message).toMatch(/DOCTYPE declarations are not accepted/);
    expect(error.location.line).toBe(2);
  });

  it('refuses an undeclared entity instead of passing it through', async () => {
    const error = await failure(
      '<report><items><item><name>&secret;</name></item></items></report>',
    );
    expect(error.message).toMatch(/undefined entity/);
  });

  it('names the root element when the document is another XML format', async () => {
    const error = await failure('<bom><components/></bom>');
    expect(error.message).toBe('root element is <bom>, expected <report>');
    expect(error.location.line).toBe(1);
  });

  it('rejects an empty document', async () => {
    const error = await failure('   ');
    expect(error.message).toMatch(/malformed XML/);
  });
});
