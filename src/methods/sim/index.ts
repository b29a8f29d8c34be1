// L2 login and R3 registration with a SIM digital signature (level 3), and step-up: a level-2
// account signed in by another method links a SIM whose certificate carries its own ID number.
import './messages.ts';
import { defineMethod } from '../../interaction/method.ts';
import { mountSim } from './routes.ts';
import { maskPhone } from '../../identity/identifiers/index.ts';

export const simMethod = defineMethod({
  id: 'sim',
  label: { vi: 'SIM ký số', en: 'Signing SIM' },
  hint: { vi: 'Xác nhận trên điện thoại bằng mã PIN của SIM ký số — mức độ 3', en: "Confirm on your phone with the signing SIM's PIN — level 3" },
  purposes: ['login', 'registration'],
  subjectTypes: ['citizen', 'enterprise'],
  ceiling: 3,
  amr: ['hwk', 'pin', 'mca'],
  requiresKnownAccount: false,
  // A qualified signature whose certificate matches the account proves the identity at level 3.
  canRaise: (account, level) => level <= 3 && account.status === 'active',
  link: { vi: 'Thêm SIM ký số', en: 'Add a signing SIM' },
  credentials: [{ type: 'sim', label: { vi: 'SIM ký số', en: 'Signing SIM' }, signsIn: true, describe: (c) => maskPhone(String(c.phone ?? '')) }],
  mount: mountSim,
});
