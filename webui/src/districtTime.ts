/**
 * Every time the UI shows is the district's (Asia/Shanghai), whatever zone the browser is set
 * to: the duty desk, the wall, boards and playback must agree with each other and with the
 * operations centre's clocks.
 */
export const DISTRICT_TZ = "Asia/Shanghai";

/** Date and time, 24-hour clock, in the district's zone (`opts` narrows the fields). */
export function districtDateTime(
  value: string | number | Date,
  locale: string,
  opts: Intl.DateTimeFormatOptions = {},
): string {
  return new Date(value).toLocaleString(locale, { hour12: false, ...opts, timeZone: DISTRICT_TZ });
}

/** Time of day, 24-hour clock, in the district's zone. */
export function districtTime(value: string | number | Date, locale: string): string {
  return new Date(value).toLocaleTimeString(locale, { hour12: false, timeZone: DISTRICT_TZ });
}
