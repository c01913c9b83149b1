import { adfProblem, adfToPlainText, plainTextToAdf } from './adf';

const doc = (...content: unknown[]) => ({ type: 'doc', version: 1, content });
const paragraph = (...content: unknown[]) => ({ type: 'paragraph', content });
const text = (value: string, marks?: unknown[]) =>
  marks ? { type: 'text', text: value, marks } : { type: 'text', text: value };

describe('Atlassian Document Format validation', () => {
  it('accepts the documents hum writes', () => {
    expect(adfProblem(doc())).toBeUndefined();
    expect(
      adfProblem(
        doc(
          { type: 'heading', attrs: { level: 3 }, content: [text('Finding')] },
          paragraph(
            text('see '),
            text('advisory', [{ type: 'link', attrs: { href: 'https://example.test' } }]),
            { type: 'hardBreak' },
          ),
          { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('a'))] }] },
          { type: 'codeBlock', attrs: { language: 'json' }, content: [text('{}')] },
          { type: 'panel', attrs: { panelType: 'warning' }, content: [paragraph(text('careful'))] },
          {
            type: 'table',
            content: [
              {
                type: 'tableRow',
                content: [{ type: 'tableHeader', content: [paragraph(text('CVE'))] }],
              },
            ],
          },
          { type: 'rule' },
        ),
      ),
    ).toBeUndefined();
    expect(adfProblem(plainTextToAdf('one\n\ntwo'))).toBeUndefined();
  });

  it.each([
    ['a string', 'plain text', 'not an object'],
    ['a missing version', { type: 'doc', content: [] }, 'version'],
    ['text directly in the document', doc(text('bare')), "'text' is not allowed inside 'doc'"],
    ['an unknown node', doc({ type: 'blink' }), "unknown node type 'blink'"],
    ['empty text', doc(paragraph({ type: 'text', text: '' })), 'non-empty text'],
    [
      'a heading level of 7',
      doc({ type: 'heading', attrs: { level: 7 }, content: [text('x')] }),
      'heading level',
    ],
    ['a link without href', doc(paragraph(text('x', [{ type: 'link', attrs: {} }]))), 'href'],
    ['an unknown mark', doc(paragraph(text('x', [{ type: 'blink' }]))), 'unknown mark'],
    ['a list without items', doc({ type: 'bulletList', content: [] }), 'needs content'],
    [
      'a list item not starting with a paragraph',
      doc({
        type: 'bulletList',
        content: [{ type: 'listItem', content: [{ type: 'codeBlock' }] }],
      }),
      'starts with a paragraph',
    ],
    [
      'marks inside a code block',
      doc({ type: 'codeBlock', content: [text('x', [{ type: 'strong' }])] }),
      'no marks',
    ],
    [
      'an unexpected property',
      doc({ type: 'paragraph', colour: 'red' }),
      "unexpected property 'colour'",
    ],
  ])('refuses %s', (_case, value, problem) => {
    expect(adfProblem(value)).toContain(problem);
  });

  it('extracts plain text per block', () => {
    expect(adfToPlainText(doc(paragraph(text('a'), text('b')), paragraph(text('c'))))).toBe(
      'ab\nc',
    );
    expect(adfToPlainText(plainTextToAdf('first line\nsecond line'))).toBe(
      'first line\nsecond line',
    );
  });
});
