import { dueDate, slaDaysOf } from './sla';

describe('SLA days and due dates', () => {
  it('reads back the days a due date was set with, whatever the time of day or the calendar', () => {
    for (const since of [
      '2026-01-10T00:00:00.000Z',
      '2026-01-10T23:59:59.999Z',
      '2028-02-28T12:00:00.000Z', // across a leap day
      '2026-03-28T22:30:00.000Z', // across a DST change in Europe: UTC dates are unaffected
    ]) {
      for (const days of [0, 1, 7, 30, 90, 180, 365]) {
        const at = new Date(since);
        expect(slaDaysOf(at, dueDate(at, days)!)).toBe(days);
      }
    }
  });

  it('has no due date for a tier without SLA days (info)', () => {
    expect(dueDate(new Date('2026-01-10T10:00:00Z'), undefined)).toBeUndefined();
  });
});
