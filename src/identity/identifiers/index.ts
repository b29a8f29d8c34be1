// Vietnamese identifiers (DESIGN.md §4): validate on input, normalise before storing.
// One module per identifier; everything is re-exported from here, the only import path for callers.
export type { IdentifierError, Parsed } from './common.ts';
export { PROVINCE_CODES, cccdInfo, parseCccd } from './cccd.ts';
export { parseCmnd } from './cmnd.ts';
export { parsePersonalId } from './personal-id.ts';
export { parseBhxh } from './bhxh.ts';
export { mstCheckDigit, parseMst } from './mst.ts';
export { MOBILE_PREFIXES, maskPhone, parsePhone } from './phone.ts';
export { maskId } from './mask.ts';
export { formatDateVn, parseDateVn } from './date.ts';
export { namesMatch, normaliseName } from './name.ts';
export { parseEmail } from './email.ts';
