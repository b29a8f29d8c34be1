import { addMessages } from '../../shared/i18n.ts';

addMessages({
  'sim.title': { vi: 'Ký số bằng SIM', en: 'Sign with your signing SIM' },
  'sim.lead': { vi: 'Nhập số điện thoại của SIM ký số. Yêu cầu ký sẽ được gửi đến điện thoại của bạn.', en: 'Type the phone number of your signing SIM. A signing request will be sent to your phone.' },
  'sim.phone': { vi: 'Số điện thoại SIM ký số', en: 'Signing SIM phone number' },
  'sim.submit': { vi: 'Gửi yêu cầu ký', en: 'Send the signing request' },
  'sim.wait.title': { vi: 'Xác nhận trên điện thoại', en: 'Confirm on your phone' },
  'sim.wait.code': { vi: 'Mã kiểm tra', en: 'Verification code' },
  'sim.wait.lead': { vi: 'Điện thoại của bạn sẽ hiển thị yêu cầu ký với mã kiểm tra dưới đây. Chỉ xác nhận và nhập mã PIN nếu hai mã giống nhau.', en: 'Your phone will show a signing request with the code below. Confirm and enter your PIN only if the two codes match.' },
  'sim.wait.still': { vi: 'Vẫn đang chờ bạn xác nhận trên điện thoại…', en: 'Still waiting for you to confirm on your phone…' },
  'sim.wait.auto': { vi: 'Trang sẽ tự chuyển tiếp khi bạn đã xác nhận (tối đa khoảng 2 phút).', en: 'This page moves on by itself once you confirm (about 2 minutes at most).' },
  'sim.cancel': { vi: 'Hủy yêu cầu', en: 'Cancel the request' },
  'sim.display': { vi: 'Cong DVC: {purpose} {client}. Ma kiem tra: {code}', en: 'DVC portal: {purpose} {client}. Code: {code}' },
  'sim.display.login': { vi: 'dang nhap', en: 'sign in to' },
  'sim.err.refused': { vi: 'Bạn đã từ chối yêu cầu ký trên điện thoại.', en: 'You refused the signing request on your phone.' },
  'sim.err.expired': { vi: 'Đã hết thời gian chờ xác nhận trên điện thoại (khoảng 2 phút).', en: 'The request timed out on your phone (about 2 minutes).' },
  'sim.err.pin_blocked': { vi: 'Mã PIN của SIM ký số đã bị khoá do nhập sai nhiều lần. Vui lòng liên hệ nhà mạng hoặc nhà cung cấp chữ ký số để mở khoá.', en: "The SIM's PIN is blocked after too many wrong tries. Contact your carrier or signature provider to unblock it." },
  'sim.err.not_a_signing_sim': { vi: 'Số điện thoại này không phải là SIM ký số hoặc chưa đăng ký dịch vụ chữ ký số.', en: 'This number is not a signing SIM, or has no digital-signature service.' },
  'sim.err.error': { vi: 'Dịch vụ ký số trên SIM báo lỗi. Vui lòng thử lại sau.', en: 'The SIM signing service reported an error. Please try again later.' },
  'sim.err.unavailable': { vi: 'Dịch vụ ký số trên SIM đang gián đoạn. Vui lòng thử lại sau ít phút hoặc chọn phương thức khác.', en: 'The SIM signing service is unavailable. Please try again in a few minutes or choose another method.' },
  'sim.register.title': { vi: 'Đăng ký bằng SIM ký số', en: 'Register with your signing SIM' },
});
