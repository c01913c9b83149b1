import { adfProblem } from '@hum/testing';
import { documentOf, heading, link, paragraph, text, type TicketDocument } from './document';
import { fitDocument, fitLine } from './fit';
import { adfRenderer, plainTextRenderer, wikiRenderer } from './render';

function findings(count: number, width = 40): TicketDocument {
  return documentOf(
    paragraph(text('hum found these findings.')),
    heading('Findings'),
    {
      kind: 'list',
      items: Array.from({ length: count }, (_, i) => [text(`finding ${i} `.padEnd(width, 'x'))]),
      truncatable: true,
    },
    paragraph(text('Kept in sync by hum.')),
  );
}

describe('fitDocument', () => {
  it('leaves a document that fits untouched', () => {
    const fitted = fitDocument(findings(3), plainTextRenderer, { limit: 4_000 });
    expect(fitted).toMatchObject({ omitted: 0, truncated: false });
    expect(fitted.rendered).toBe(plainTextRenderer.render(findings(3)));
  });

  it.each([
    ['ADF (JSON length)', adfRenderer, 32_767],
    ['wiki markup', wikiRenderer, 32_767],
    ['plain text', plainTextRenderer, 4_000],
  ] as const)(
    'cuts the finding list to fit %s and says how many are left out, with a link',
    (_name, renderer, limit) => {
      const document = findings(5_000);
      const fitted = fitDocument(document, renderer as typeof plainTextRenderer, {
        limit,
        moreLink: 'https://hum.example/g/1',
      });
      expect(fitted.truncated).toBe(true);
      expect(renderer.measure(fitted.rendered as never)).toBeLessThanOrEqual(limit);
      const shown = JSON.stringify(fitted.rendered);
      expect(shown).toContain('finding 0 ');
      expect(shown).toContain(`and ${fitted.omitted} more not shown here`);
      expect(shown).toContain('https://hum.example/g/1');
      expect(shown).toContain('Kept in sync by hum.');
      // As many as fit: one more would not.
      expect(fitted.omitted).toBeGreaterThan(0);
      expect(fitted.omitted).toBeLessThan(5_000);
    },
  );

  it('keeps the ADF valid when cutting', () => {
    const fitted = fitDocument(findings(2_000), adfRenderer, { limit: 10_000 });
    expect(adfProblem(fitted.rendered)).toBeUndefined();
  });

  it('cuts the text itself when there is no list to shorten', () => {
    const document = documentOf(paragraph(text('y'.repeat(10_000))));
    const fitted = fitDocument(document, plainTextRenderer, { limit: 500 });
    expect(fitted.rendered.length).toBeLessThanOrEqual(500);
    expect(fitted.rendered).toMatch(/^y+/);
    expect(fitted.rendered).toContain('Text shortened to fit the field limit.');
  });

  it('cuts a summary to a single line of the limit', () => {
    expect(fitLine('a\nb   c', 255)).toBe('a b c');
    const cut = fitLine('z'.repeat(300), 160);
    expect(cut).toHaveLength(160);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('renderers', () => {
  const document = documentOf(
    heading('Why'),
    paragraph(
      text('a '),
      { text: 'bold', bold: true },
      text(' '),
      { text: 'x[1]', code: true },
      text(' '),
      link('advisory', 'https://nvd.example/1'),
    ),
    { kind: 'list', items: [[text('one *not bold* {macro}')], [text('two')]] },
  );

  it('renders valid ADF with marks', () => {
    const adf = adfRenderer.render(document);
    expect(adfProblem(adf)).toBeUndefined();
    expect(JSON.stringify(adf)).toContain('"type":"link","attrs":{"href":"https://nvd.example/1"}');
  });

  it('renders wiki markup and escapes characters that would become markup', () => {
    const wiki = wikiRenderer.render(document);
    expect(wiki).toContain('h3. Why');
    expect(wiki).toContain('*bold*');
    expect(wiki).toContain('{{x[1]}}');
    expect(wiki).toContain('[advisory|https://nvd.example/1]');
    expect(wiki).toContain('* one \\*not bold\\* \\{macro\\}');
  });

  it('renders plain text with links spelled out', () => {
    const plain = plainTextRenderer.render(document);
    expect(plain).toContain('advisory (https://nvd.example/1)');
    expect(plain).toContain('- two');
  });
});
