import { classifiedAroundCheckedFinding } from './classified-event';
import { conformingMark, markConforming } from './conforming';
import { decodeEvent, encodeEvent } from './envelope';
import { EXAMPLE_CLASSIFIED, EXAMPLE_FINDING } from './examples';
import { FindingV1 } from './finding';
import { ScanCompletedV1 } from './scan';
import { TOPICS } from './topics';

const input = (data: unknown) => ({ key: 'k', data, source: '/hum/spec' });
const isMarked = (event: object) =>
  conformingMark(TOPICS.findingsClassified.schema, event) !== undefined;

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

describe('classifiedAroundCheckedFinding', () => {
  const { classification, lifecycle } = EXAMPLE_CLASSIFIED;

  it('builds an event that encodes and decodes as the whole contract says', () => {
    const event = classifiedAroundCheckedFinding(
      structuredClone(EXAMPLE_FINDING),
      classification,
      lifecycle,
    );
    const encoded = encodeEvent(TOPICS.findingsClassified, input(event));
    // The JSON built around the finding's is the event's own, byte for byte.
    expect(encoded.value.toString()).toBe(JSON.stringify(event));
    expect(decodeEvent(TOPICS.findingsClassified, encoded).data).toEqual({
      finding: EXAMPLE_FINDING,
      classification,
      lifecycle,
    });
  });

  it('checks the classification and the lifecycle it is given', () => {
    const finding = structuredClone(EXAMPLE_FINDING);
    expect(() =>
      classifiedAroundCheckedFinding(finding, { ...classification, score: 101 }, lifecycle),
    ).toThrow(/score/);
    expect(() =>
      classifiedAroundCheckedFinding(finding, classification, { ...lifecycle, revision: 0 }),
    ).toThrow(/revision/);
    expect(() =>
      classifiedAroundCheckedFinding(finding, classification, {
        ...lifecycle,
        extra: true,
      } as typeof lifecycle),
    ).toThrow(/extra/);
  });

  it('takes a decoded finding as checked, and checks one that was not decoded', () => {
    // decodeEvent marks the finding it checked: it is not checked a second time.
    const decoded = decodeEvent(
      TOPICS.findingsRaw,
      encodeEvent(TOPICS.findingsRaw, input(structuredClone(EXAMPLE_FINDING))),
    ).data;
    const event = classifiedAroundCheckedFinding(decoded, classification, lifecycle);
    expect(event.finding).toBe(decoded);
    expect(isMarked(event)).toBe(true);
    // One built by hand is checked here, and refused when it breaks Finding v1.
    const unchecked = { ...EXAMPLE_FINDING, title: '' };
    expect(() => classifiedAroundCheckedFinding(unchecked, classification, lifecycle)).toThrow(
      /title/,
    );
    const valid = structuredClone(EXAMPLE_FINDING);
    const built = classifiedAroundCheckedFinding(valid, classification, lifecycle);
    expect(encodeEvent(TOPICS.findingsClassified, input(built)).value.toString()).toBe(
      JSON.stringify(built),
    );
  });
});
