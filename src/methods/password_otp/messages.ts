import { addMessages } from '../../shared/i18n.ts';

addMessages({
  'pwotp.title': { vi: 'Đăng nhập bằng tài khoản Cổng Dịch vụ công', en: 'Sign in with your portal account' },
  'pwotp.username': { vi: 'Tên đăng nhập (Số CCCD/CMND hoặc mã số thuế)', en: 'Username (ID number or tax code)' },
  'pwotp.username.placeholder': { vi: 'Nhập số CCCD/CMND', en: 'Enter your ID number' },
  'pwotp.password': { vi: 'Mật khẩu', en: 'Password' },
  'pwotp.captcha': { vi: 'Mã xác thực', en: 'Verification code' },
  'pwotp.captcha.help': { vi: 'Nhập các ký tự trong hình.', en: 'Type the characters in the picture.' },
  'pwotp.captcha.new': { vi: 'Đổi hình khác', en: 'Show another picture' },
  'pwotp.submit': { vi: 'Đăng nhập', en: 'Sign in' },
  'pwotp.forgot': { vi: 'Quên mật khẩu?', en: 'Forgot your password?' },
  'pwotp.other': { vi: 'Chọn phương thức khác', en: 'Choose another method' },
  'pwotp.err.username': { vi: 'Vui lòng nhập số CCCD (12 số), CMND (9 số) hoặc mã số thuế.', en: 'Enter a 12-digit CCCD, a 9-digit CMND or a tax code.' },
  'pwotp.err.password_required': { vi: 'Vui lòng nhập mật khẩu.', en: 'Enter your password.' },
  'pwotp.err.captcha': { vi: 'Mã xác thực không đúng. Vui lòng nhập lại.', en: 'The verification code is not right. Please try again.' },
  'pwotp.err.credentials': { vi: 'Tên đăng nhập hoặc mật khẩu không đúng.', en: 'The username or password is not right.' },
  'pwotp.err.locked': { vi: 'Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút hoặc dùng chức năng Quên mật khẩu.', en: 'Too many failed attempts. Try again in {minutes} minutes or use Forgot password.' },
  'pwotp.err.no_phone': { vi: 'Tài khoản chưa có số điện thoại nhận OTP. Vui lòng chọn phương thức xác thực khác.', en: 'This account has no phone for one-time codes. Please choose another method.' },
  'pwotp.otp.sent': { vi: 'Mã xác thực đã được gửi qua SĐT: {phone}', en: 'A code was sent by SMS to {phone}' },
  'pwotp.otp.lost_phone': { vi: 'Mất số điện thoại nhận OTP?', en: 'Lost the phone that receives codes?' },
  'pwotp.otp.lost_phone.help': { vi: 'Bạn có thể đăng nhập bằng SIM ký số hoặc USB ký số nếu có, hoặc mang CCCD đến bộ phận một cửa hay bưu cục để đổi số điện thoại.', en: 'Sign in with a signing SIM or USB token if you have one, or bring your ID card to a service counter or post office to change the phone number.' },
  'otp.sms.login': { vi: 'Ma OTP dang nhap Cong DVC: {code}. Co hieu luc {minutes} phut. Khong cung cap ma cho bat ky ai.', en: 'DVC sign-in code: {code}. Valid {minutes} min. Never share it.' },
});
