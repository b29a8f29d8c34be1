// L3 login and R4 registration with a USB-token digital signature (level 3), via the person's
// local signing agent; also step-up, like the SIM.
import { summariseNames } from '../../certificates/subject.ts';
import { addMessages } from '../../shared/i18n.ts';
import { defineMethod } from '../../interaction/method.ts';
import { mountUsb } from './routes.ts';
import { vnDate } from '../../shared/vn-time.ts';

addMessages({
  'usb.title': { vi: 'Ký số bằng USB', en: 'Sign with your USB token' },
  'usb.lead': { vi: 'Cắm USB ký số vào máy tính, chọn chứng thư số bên dưới và nhập mã PIN khi phần mềm ký số hỏi.', en: 'Plug in your USB token, pick the certificate below and enter the PIN when the signing software asks.' },
  'usb.searching': { vi: 'Đang tìm phần mềm ký số trên máy tính…', en: 'Looking for the signing software on this computer…' },
  'usb.noscript': { vi: 'Ký số bằng USB cần bật JavaScript trong trình duyệt.', en: 'Signing with a USB token needs JavaScript in the browser.' },
  'usb.noagent.title': { vi: 'Chưa tìm thấy phần mềm ký số', en: 'Signing software not found' },
  'usb.noagent.help': { vi: 'Vui lòng cài đặt phần mềm ký số (plugin) và driver của USB token do nhà cung cấp chữ ký số phát hành, khởi động phần mềm, cắm USB rồi tải lại trang này.', en: "Install the signing software (plugin) and the USB token's driver from your signature provider, start the software, plug in the token, then reload this page." },
  'usb.nocert': { vi: 'Không tìm thấy chứng thư số nào trên USB. Vui lòng kiểm tra lại USB ký số.', en: 'No certificate found on the token. Check your USB token.' },
  'usb.pick': { vi: 'Chọn chứng thư số', en: 'Choose a certificate' },
  'usb.valid_until': { vi: 'Hiệu lực đến', en: 'Valid until' },
  'usb.cert_expired': { vi: '(đã hết hạn)', en: '(expired)' },
  'usb.issued_by': { vi: 'Cấp bởi', en: 'Issued by' },
  'usb.cert_unknown': { vi: 'Chứng thư số không đọc được', en: 'A certificate that cannot be read' },
  'usb.retry': { vi: 'Thử lại', en: 'Try again' },
  'usb.noagent.sandbox': { vi: 'Môi trường thử nghiệm: chạy phần mềm ký số mẫu bên cạnh máy chủ bằng lệnh dưới đây, rồi bấm "Thử lại".', en: 'Sandbox: run the sample signing agent next to the server with the command below, then press "Try again".' },
  'usb.download.windows': { vi: 'Tải phần mềm ký số cho Windows', en: 'Download the signing software for Windows' },
  'usb.download.macos': { vi: 'Tải phần mềm ký số cho macOS', en: 'Download the signing software for macOS' },
  'usb.download.linux': { vi: 'Tải phần mềm ký số cho Linux', en: 'Download the signing software for Linux' },
  'usb.phone.title': { vi: 'Ký số bằng USB cần máy tính', en: 'USB signing needs a computer' },
  'usb.phone.lead': { vi: 'USB ký số được cắm vào máy tính có cài phần mềm ký số; điện thoại và máy tính bảng không dùng được. Trên điện thoại, bạn có thể dùng SIM ký số hoặc mật khẩu và mã SMS.', en: 'A USB token plugs into a computer with the signing software installed; phones and tablets cannot use it. On a phone you can use a signing SIM, or your password and an SMS code.' },
  'usb.signing': { vi: 'Đang chờ nhập mã PIN trên máy tính…', en: 'Waiting for the PIN on your computer…' },
  'usb.err.pin_wrong': { vi: 'Mã PIN không đúng.', en: 'Wrong PIN.' },
  'usb.err.pin_locked': { vi: 'USB ký số đã bị khoá do nhập sai mã PIN nhiều lần.', en: 'The token is locked after too many wrong PINs.' },
  'usb.err.cancelled': { vi: 'Bạn đã huỷ việc ký.', en: 'You cancelled the signing.' },
  'usb.err.agent': { vi: 'Phần mềm ký số báo lỗi. Vui lòng thử lại.', en: 'The signing software reported an error. Please try again.' },
  'usb.err.bad_submission': { vi: 'Dữ liệu ký số gửi lên không hợp lệ. Vui lòng thử lại.', en: 'The signed data sent is not valid. Please try again.' },
  'usb.register.title': { vi: 'Đăng ký bằng USB ký số', en: 'Register with your USB token' },
});

export const usbMethod = defineMethod({
  id: 'usb',
  label: { vi: 'USB ký số', en: 'USB token' },
  hint: { vi: 'Chứng thư số trên USB token, qua phần mềm ký số trên máy tính — mức độ 3', en: 'A certificate on a USB token, through the signing software on this computer — level 3' },
  purposes: ['login', 'registration'],
  subjectTypes: ['citizen', 'enterprise'],
  ceiling: 3,
  amr: ['hwk', 'pin', 'sc'],
  requiresKnownAccount: false,
  canRaise: (account, level) => level <= 3 && account.status === 'active',
  link: { vi: 'Thêm chứng thư số USB', en: 'Add a USB certificate' },
  credentials: [{
    type: 'usb_certificate', label: { vi: 'Chứng thư số USB', en: 'USB certificate' }, signsIn: true,
    describe: (c) => {
      const n = summariseNames(String(c.subject ?? ''), String(c.issuer ?? ''));
      return [n.holder, n.id, n.issuer, typeof c.notAfter === 'string' ? `→ ${vnDate(new Date(c.notAfter))}` : undefined].filter(Boolean).join(' · ');
    },
  }],
  mount: mountUsb,
});
