// "Chrome 120 on Android (phone)" rather than a User-Agent string: what people recognise in their
// list of sessions and sign-ins. bowser does the parsing; unknown agents are shown as they came.
import Bowser from 'bowser';
import type { Lang } from './i18n.ts';

const KIND: Record<string, { vi: string; en: string }> = {
  mobile: { vi: 'điện thoại', en: 'phone' }, tablet: { vi: 'máy tính bảng', en: 'tablet' }, desktop: { vi: 'máy tính', en: 'computer' },
};

export function describeDevice(userAgent: string | null | undefined, lang: Lang): string {
  if (!userAgent) return lang === 'vi' ? 'Thiết bị không rõ' : 'Unknown device';
  const p = Bowser.parse(userAgent);
  if (!p.browser.name) return userAgent.slice(0, 120);
  const browser = `${p.browser.name}${p.browser.version ? ` ${p.browser.version.split('.')[0]}` : ''}`;
  const os = p.os.name ? `${lang === 'vi' ? ' trên ' : ' on '}${p.os.name}${p.os.versionName ? ` ${p.os.versionName}` : p.os.version ? ` ${p.os.version}` : ''}` : '';
  const kind = p.platform.type && KIND[p.platform.type] ? ` (${KIND[p.platform.type]![lang]})` : '';
  return `${browser}${os}${kind}`;
}
