// The sandbox's own pages (outboxes, simulated phone, Vietnam Post's login) speak both languages like ours.
import { addMessages } from '../shared/i18n.ts';

addMessages({
  'sbx.badge': { vi: '(môi trường thử nghiệm)', en: '(sandbox)' },
  'sbx.filter': { vi: 'Lọc', en: 'Filter' },
  'sbx.col.to': { vi: 'Người nhận', en: 'To' },
  'sbx.col.sent': { vi: 'Thời điểm gửi', en: 'Sent' },
  'sbx.sms.title': { vi: 'Hộp thư SMS', en: 'SMS outbox' },
  'sbx.sms.phone': { vi: 'Số điện thoại', en: 'Phone number' },
  'sbx.sms.text': { vi: 'Nội dung', en: 'Text' },
  'sbx.sms.empty': { vi: 'Chưa có tin nhắn nào.', en: 'No messages yet.' },
  'sbx.email.title': { vi: 'Hộp thư điện tử', en: 'Email outbox' },
  'sbx.email.address': { vi: 'Địa chỉ thư điện tử', en: 'Email address' },
  'sbx.email.message': { vi: 'Thư', en: 'Message' },
  'sbx.phone.title': { vi: 'Điện thoại mô phỏng', en: 'Simulated phone' },
  'sbx.phone.lead': { vi: 'Dịch vụ ký số SIM thử nghiệm hiển thị các yêu cầu ký tại đây, như trên điện thoại.', en: 'The sandbox SIM-signing service shows its requests here, as the phone would.' },
  'sbx.phone.number': { vi: 'Số điện thoại của SIM ký số', en: 'SIM phone number' },
  'sbx.phone.show': { vi: 'Xem yêu cầu', en: 'Show requests' },
  'sbx.phone.pin': { vi: 'Mã PIN', en: 'PIN' },
  'sbx.phone.sign': { vi: 'Xác nhận và ký', en: 'Confirm and sign' },
  'sbx.phone.refuse': { vi: 'Từ chối', en: 'Refuse' },
  'sbx.phone.none': { vi: 'Không có yêu cầu nào đang chờ cho số này.', en: 'No pending request for this number.' },
  'sbx.phone.result.signed': { vi: 'Đã ký.', en: 'Signed.' },
  'sbx.phone.result.wrong_pin': { vi: 'Sai mã PIN.', en: 'Wrong PIN.' },
  'sbx.phone.result.pin_blocked': { vi: 'Mã PIN đã bị khóa sau nhiều lần nhập sai.', en: 'The PIN is blocked after too many wrong tries.' },
  'sbx.phone.result.refused': { vi: 'Đã từ chối.', en: 'Refused.' },
  'sbx.phone.result.not_pending': { vi: 'Yêu cầu này không còn chờ ký (đã xong, hết hạn hoặc có yêu cầu mới hơn).', en: 'This request is no longer waiting (done, expired or superseded).' },
  'sbx.vnpost.title': { vi: 'Bưu điện Việt Nam — đăng nhập', en: 'Vietnam Post — sign in' },
  'sbx.vnpost.lead': { vi: 'Nhà cung cấp định danh thử nghiệm của Bưu điện Việt Nam. Tài khoản thử nghiệm: config/sandbox/vnpost.json.', en: 'Sandbox identity provider of Vietnam Post. Test accounts: config/sandbox/vnpost.json.' },
  'sbx.vnpost.failed': { vi: 'Tên đăng nhập hoặc mật khẩu không đúng.', en: 'Wrong username or password.' },
  'sbx.vnpost.username': { vi: 'Tên đăng nhập', en: 'Username' },
  'sbx.vnpost.password': { vi: 'Mật khẩu', en: 'Password' },
  'sbx.vnpost.submit': { vi: 'Đăng nhập', en: 'Sign in' },
});

/** The sandbox CA's name, in the certificates it issues (shown as the issuer on the USB page). */
export const SANDBOX_CA_NAME = 'CA thử nghiệm DVC ID (chỉ dùng trong môi trường thử nghiệm)';
export const SANDBOX_CA_ORG = 'DVC ID — Môi trường thử nghiệm';
