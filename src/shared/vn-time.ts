// Times as people in Vietnam read them: UTC+7 (no daylight saving), day first, whatever the server's zone.
import { formatDateVn, VN_OFFSET_MS } from '../identity/identifiers/date.ts';

const shifted = (d: Date) => new Date(d.getTime() + VN_OFFSET_MS).toISOString();

/** 22/11/2026 */
export const vnDate = (d: Date) => formatDateVn(shifted(d));

/** 22/11/2026 19:23 (GMT+7) */
export const vnMinute = (d: Date) => `${vnDate(d)} ${shifted(d).slice(11, 16)} (GMT+7)`;
