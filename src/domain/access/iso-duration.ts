// ISO 8601 durations as Azure's PIM schedules carry them (`scheduleInfo.expiration.duration`: 'PT1H', 'PT30M',
// 'P365D'), turned into whole seconds. Calendar units have no fixed length, so a year counts 365 days and a month 30,
// as .NET's XmlConvert (which Azure's APIs use to read them) does.

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_SECONDS = [365 * 86_400, 30 * 86_400, 7 * 86_400, 86_400, 3_600, 60, 1];

/** Seconds in an ISO 8601 duration (fractions of a second round up), or undefined when it is not one. */
export function parseIsoDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim().toUpperCase());
  // 'P' and 'PT' alone match the pattern but name no duration.
  if (!match || match.slice(1).every((part) => part === undefined) || text.trim().toUpperCase().endsWith('T')) return undefined;
  let seconds = 0;
  for (const [index, part] of match.slice(1).entries()) {
    if (part !== undefined) seconds += Number(part) * UNIT_SECONDS[index]!;
  }
  const total = Math.ceil(seconds);
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The duration as ISO 8601 in days, hours, minutes and seconds ('PT1H', 'P1DT2H'), as Azure echoes durations back. */
export function formatIsoDuration(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (days === 0 && time === '') return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
