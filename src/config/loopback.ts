// Whether a URL's host is this machine. The WHATWG URL parser has already folded the spellings
// (127.1, 0x7f.0.0.1, 2130706433 → 127.0.0.1; [0:0::1] → [::1]; upper case → lower case).

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost')
    || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '0.0.0.0'
    || h === '[::1]' || h === '[::]' || /^\[::ffff:(7f[0-9a-f]{2}:[0-9a-f]{1,4}|0:0)\]$/.test(h);
}
