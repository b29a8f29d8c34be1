// The button kit's preview (/assets/button/): every variant of "Đăng nhập bằng DVC" rendered from the
// same snippet files the integrators' guide shows (examples/button/), the SVG images, and the rules.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { addMessages } from '../shared/i18n.ts';
import { render } from '../web/render.ts';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/button');
const snippet = (lang: 'vi' | 'en') => readFileSync(path.join(dir, `button.${lang}.html`), 'utf8');
const SNIPPETS = { vi: snippet('vi'), en: snippet('en') };

/** The snippet's `<a>` with another class list, pointing nowhere (a preview signs no one in). */
const variant = (lang: 'vi' | 'en', modifiers: string[]) =>
  SNIPPETS[lang].replace(/<!--[\s\S]*?-->\s*/, '').replace('href="/login"', 'href="#rules"')
    .replace('class="dvc-button"', `class="${['dvc-button', ...modifiers.map((m) => `dvc-button--${m}`)].join(' ')}"`);

export function buttonPreviewRouter(): Router {
  const r = new Router();
  r.get('/assets/button/', (ctx) => {
    render(ctx, 'integrators/button', {
      variants: {
        light: variant('vi', []), dark: variant('vi', ['dark']), small: variant('vi', ['small']), large: variant('vi', ['large']),
        block: variant('vi', ['block']), en: variant('en', []), enDark: variant('en', ['dark']),
      },
      snippets: SNIPPETS,
    });
  });
  r.get('/assets/button', (ctx) => { ctx.status = 301; ctx.redirect('/assets/button/'); });
  return r;
}

addMessages({
  'button.title': { vi: 'Nút "Đăng nhập bằng DVC"', en: 'The "Log in with DVC" button' },
  'button.lead': {
    vi: 'Trang dịch vụ công đặt nút này ở nơi người dùng đăng nhập. Mã HTML và CSS dưới đây không cần JavaScript; hình SVG dùng khi không thể dùng HTML.',
    en: 'Service sites put this button where their users sign in. The HTML and CSS below need no JavaScript; the SVG images are for places where HTML cannot go.',
  },
  'button.light': { vi: 'Nền sáng (mặc định)', en: 'On a light background (default)' },
  'button.dark': { vi: 'Nền tối: dvc-button--dark', en: 'On a dark background: dvc-button--dark' },
  'button.sizes': { vi: 'Kích thước: dvc-button--small, mặc định, dvc-button--large, dvc-button--block (cả chiều ngang)', en: 'Sizes: dvc-button--small, default, dvc-button--large, dvc-button--block (full width)' },
  'button.en': { vi: 'Tiếng Anh', en: 'English' },
  'button.svg': { vi: 'Hình SVG', en: 'SVG images' },
  'button.code': { vi: 'Mã HTML', en: 'The HTML' },
  'button.code.hint': { vi: 'Thêm dvc-button.css (đặt dvc-mark.svg cạnh nó) vào <head>, rồi chép đoạn mã; href trỏ đến đường dẫn bắt đầu đăng nhập của trang bạn.', en: 'Add dvc-button.css (with dvc-mark.svg beside it) to your <head>, then copy the snippet; href points at your site\'s route that starts the sign-in.' },
  'button.rules': { vi: 'Quy tắc sử dụng', en: 'Usage rules' },
  'button.rule.words': { vi: 'Giữ nguyên chữ "Đăng nhập bằng DVC" (tiếng Anh: "Log in with DVC") và biểu tượng; không đổi màu, không kéo giãn.', en: 'Keep the words "Đăng nhập bằng DVC" ("Log in with DVC" in English) and the mark; do not recolour or stretch it.' },
  'button.rule.language': { vi: 'Dùng nút cùng ngôn ngữ với trang; gửi ui_locales=vi hoặc en để trang đăng nhập cùng ngôn ngữ.', en: 'Use the button in the page\'s language, and send ui_locales=vi or en so that the sign-in pages match.' },
  'button.rule.place': { vi: 'Đặt nút ngang hàng, không nhỏ hơn các cách đăng nhập khác của trang; để khoảng trống ít nhất 8 px quanh nút.', en: 'Give it at least the prominence of your other ways to sign in, with 8 px of clear space around it.' },
  'button.rule.action': { vi: 'Nút chỉ bắt đầu đăng nhập qua DVC ID (chuyển trình duyệt đến trang đăng nhập); không dùng cho việc khác, không mở trong khung (iframe) hay cửa sổ bật lên.', en: 'The button only starts a sign-in with DVC ID (a redirect to our pages): nothing else, never in an iframe or a pop-up.' },
  'button.rule.focus': { vi: 'Giữ viền khi chọn bằng bàn phím (focus) và màu khi rê chuột (hover) của CSS; chiều cao tối thiểu 40 px.', en: 'Keep the stylesheet\'s keyboard focus ring and hover colours; at least 40 px high.' },
});
