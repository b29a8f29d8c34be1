// L1: ID number (CCCD/CMND) or tax code + password + captcha, then an SMS OTP to the registered phone.
import './messages.ts';
import { defineMethod } from '../../interaction/method.ts';
import { mountPasswordOtp, passwordLoginPage } from './routes.ts';

export const passwordOtpMethod = defineMethod({
  id: 'password_otp',
  label: { vi: 'Số CCCD/CMND và mật khẩu', en: 'ID number and password' },
  hint: { vi: 'Kèm mã OTP gửi đến số điện thoại đã đăng ký', en: 'Plus a one-time code sent to your registered phone' },
  purposes: ['login'],
  subjectTypes: ['citizen', 'enterprise'],
  ceiling: 3,
  amr: ['pwd', 'sms', 'mfa'],
  requiresKnownAccount: false,
  credentials: [
    { type: 'password', label: { vi: 'Mật khẩu (kèm OTP qua SMS)', en: 'Password (with SMS codes)' }, signsIn: true },
    { type: 'totp', label: { vi: 'Ứng dụng xác thực (thay cho SMS)', en: 'Authenticator app (instead of SMS)' }, signsIn: false },
  ],
  // The seed's login page is this form, with SIM, USB and Vietnam Post beside it.
  loginPage: passwordLoginPage,
  mount: mountPasswordOtp,
});

