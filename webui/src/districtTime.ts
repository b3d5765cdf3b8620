/**
 * Every time the UI shows is the district's (Asia/Shanghai), whatever zone the browser is set
 * to: the duty desk, the wall, boards and playback must agree with each other and with the
 * operations centre's clocks.
 */
export const DISTRICT_TZ = "Asia/Shanghai";
/** Asia/Shanghai is UTC+8 all year (no daylight saving). */
export const SHANGHAI_OFFSET_S = 8 * 3600;

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

/**
 * The district's wall-clock time of an instant, as milliseconds of a UTC date: for charts drawn
 * with ECharts' `useUTC: true`, whose time axes then tick and label in the district's zone
 * (ECharts itself knows only the browser's zone and UTC).
 */
export function districtWallClockMs(value: string | number | Date): number {
  return new Date(value).getTime() + SHANGHAI_OFFSET_S * 1000;
}

/** The district's wall clock at epoch seconds `t`, read with the Date's UTC getters. */
function shanghai(t: number): Date {
  return new Date(districtWallClockMs(t * 1000));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "YYYY-MM-DD" of epoch seconds `t` in the district (the value of an <input type="date">). */
export function dateValue(t: number): string {
  const d = shanghai(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "HH:MM:SS" of epoch seconds `t` in the district. */
export function clockText(t: number): string {
  const d = shanghai(t);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "YYYY-MM-DD HH:MM:SS" of epoch seconds `t` in the district. */
export function dateClockText(t: number): string {
  return `${dateValue(t)} ${clockText(t)}`;
}
