// Times as people in Vietnam read them: UTC+7 (no daylight saving), day first, whatever the server's zone.
const VN_OFFSET_MS = 7 * 3600_000;
const shifted = (d: Date) => new Date(d.getTime() + VN_OFFSET_MS).toISOString();

/** 22/11/2026 */
export const vnDate = (d: Date) => { const s = shifted(d); return `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`; };

/** 22/11/2026 19:23 (GMT+7) */
export const vnMinute = (d: Date) => `${vnDate(d)} ${shifted(d).slice(11, 16)} (GMT+7)`;
