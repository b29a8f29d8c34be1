// A scripted browser for the bench: a cookie jar that honours Path and expiry, no redirects followed
// by itself (each hop is a request of its own, timed), forms filled from the HTML as a person would.
import { request, type Dispatcher } from 'undici';

interface Cookie { name: string; value: string; path: string }

export class CookieJar {
  private cookies: Cookie[] = [];

  store(setCookie: string | string[] | undefined): void {
    for (const line of typeof setCookie === 'string' ? [setCookie] : (setCookie ?? [])) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let gone = !value;
      for (const a of attrs) {
        const [k = '', v = ''] = a.trim().split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v;
        if (key === 'max-age' && Number(v) <= 0) gone = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) gone = true;
      }
      this.cookies = this.cookies.filter((c) => c.name !== name || c.path !== path);
      if (!gone) this.cookies.push({ name, value, path });
    }
  }

  header(pathname: string): string {
    return this.cookies.filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

export interface Answer { status: number; location: string | undefined; text: string }

export class Browser {
  readonly jar = new CookieJar();
  constructor(private readonly origin: string, private readonly dispatcher: Dispatcher) {}

  async go(method: 'GET' | 'POST', url: string, form?: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
    const u = new URL(url, this.origin);
    const res = await request(u, {
      method, dispatcher: this.dispatcher,
      headers: {
        cookie: this.jar.header(u.pathname), 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) dvc-bench', 'accept-language': 'vi',
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : null,
    });
    this.jar.store(res.headers['set-cookie']);
    const text = await res.body.text();
    const location = res.headers.location;
    return { status: res.statusCode, location: typeof location === 'string' ? location : undefined, text };
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('page has no CSRF token');
  return m[1]!;
}
