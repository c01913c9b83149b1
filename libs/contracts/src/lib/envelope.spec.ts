import { decodeEvent, encodeEvent, markConforming } from './envelope';
import { EXAMPLE_FINDING } from './examples';
import { FindingV1 } from './finding';
import { ScanCompletedV1 } from './scan';
import { TOPICS } from './topics';

const input = (data: unknown) => ({ key: 'k', data, source: '/hum/spec' });

describe('encodeEvent with data marked as conforming', () => {
  it('encodes a marked finding as it encodes the same finding checked by zod', () => {
    const marked = structuredClone(EXAMPLE_FINDING);
    markConforming(FindingV1, marked);
    const spared = encodeEvent(TOPICS.findingsRaw, input(marked));
    const checked = encodeEvent(TOPICS.findingsRaw, input(structuredClone(EXAMPLE_FINDING)));
    expect(JSON.parse(spared.value.toString())).toEqual(JSON.parse(checked.value.toString()));
    expect(Object.keys(spared.headers).sort()).toEqual(Object.keys(checked.headers).sort());
    expect(decodeEvent(TOPICS.findingsRaw, spared).data).toEqual(EXAMPLE_FINDING);
  });

  it('takes the mark as the check: the object is not checked a second time', () => {
    // What markConforming promises its callers: only the checker marks, and nobody edits after.
    const marked = { ...EXAMPLE_FINDING, title: '' };
    markConforming(FindingV1, marked);
    expect(() => encodeEvent(TOPICS.findingsRaw, input(marked))).not.toThrow();
  });

  it('still checks data marked for another contract, and unmarked copies of marked data', () => {
    const other = { ...EXAMPLE_FINDING, title: '' };
    markConforming(ScanCompletedV1, other);
    expect(() => encodeEvent(TOPICS.findingsRaw, input(other))).toThrow(/\/title: /);
    const marked = structuredClone(EXAMPLE_FINDING);
    markConforming(FindingV1, marked);
    expect(() => encodeEvent(TOPICS.findingsRaw, input({ ...marked, title: '' }))).toThrow(
      /\/title: /,
    );
  });
});
