import { addDays, calendarDateOf, compareCalendarDates, parseCalendarDate } from '../../../domain/calendar-date';

describe('calendar dates (pure UTC math)', () => {
  test.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-01-31', 30, '2026-03-02'],
    ['2024-01-31', 30, '2024-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2100-02-28', 1, '2100-03-01'],
    ['2000-02-28', 1, '2000-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-03-29', 0, '2026-03-29'],
    ['2026-10-24', 14, '2026-11-07'],
    ['2026-01-01', 365, '2027-01-01'],
  ])('%s + %i days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  test('addDays rejects bad input', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-01-01', 1.5)).toThrow(RangeError);
  });

  test.each([
    ['2026-02-28', '2026-02-28'],
    [' 2024-02-29 ', '2024-02-29'],
    ['2026-02-29', undefined],
    ['2026-02-30', undefined],
    ['2026-13-01', undefined],
    ['2026-00-10', undefined],
    ['2026-04-31', undefined],
    ['26-04-01', undefined],
    ['2026/04/01', undefined],
    ['next week', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('parseCalendarDate(%j) → %s', (raw, expected) => {
    expect(parseCalendarDate(raw)).toBe(expected);
  });

  test.each([
    ['2026-01-31T23:30:00Z', '2026-01-31'],
    ['2026-01-31T23:30:00.123Z', '2026-01-31'],
    ['2026-02-01T01:00:00+02:00', '2026-01-31'],
    ['2026-01-31T20:00:00-05:00', '2026-02-01'],
    ['2026-01-31 10:00:00Z', '2026-01-31'],
    ['2026-01-31', '2026-01-31'],
    ['2026-01-31T10:00:00', undefined],
    ['yesterday', undefined],
    [undefined, undefined],
  ])('calendarDateOf(%j) → %s', (raw, expected) => {
    expect(calendarDateOf(raw)).toBe(expected);
  });

  test('compareCalendarDates', () => {
    expect(compareCalendarDates('2026-01-31', '2026-02-01')).toBeLessThan(0);
    expect(compareCalendarDates('2026-12-01', '2026-02-01')).toBeGreaterThan(0);
    expect(compareCalendarDates('2026-02-01', '2026-02-01')).toBe(0);
  });
});
