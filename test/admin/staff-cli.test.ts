// `staff add|list|remove` (the only way roles are given): checked input, every change audited.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, EMBEDDED, TEST_DATABASE_URL, type TestServer } from '../support/server.ts';
import { accountIdOf } from '../support/portal.ts';
import { STAFF } from './staff-session.ts';

describe('admin console: the staff CLI', function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(() => s.close());

  // Asynchronous: on the embedded database the CLI reaches this very process's database through it.
  const cli = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { ...process.env, LOG_LEVEL: 'silent', ...(EMBEDDED ? { DATABASE_URL: '', DATA_DIR: s.cfg.dataDir } : { DATABASE_URL: TEST_DATABASE_URL }) };
    const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'staff', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    c.once('exit', (status) => resolve({ status, stdout, stderr }));
  });

  it('adds, lists and removes roles, each audited; bad input changes nothing', async () => {
    assert.equal((await cli('add', '--cccd', STAFF.cccd, '--staff-id', STAFF.staffId, '--office', STAFF.office, '--role', 'root')).status, 2);
    assert.equal((await s.db('staff_members')).length, 0);
    const added = await cli('add', '--cccd', STAFF.cccd, '--staff-id', STAFF.staffId, '--office', STAFF.office, '--role', 'support');
    assert.equal(added.status, 0, added.stderr);
    assert.equal((await cli('add', '--cccd', STAFF.cccd, '--staff-id', STAFF.staffId, '--office', STAFF.office, '--role', 'auditor')).status, 0);
    assert.match((await cli('list')).stdout, new RegExp(`${STAFF.staffId}\\t${STAFF.office}\\tauditor,support`));
    const accountId = await accountIdOf(s, 'cccd', STAFF.cccd);
    const row = await s.db('audit_events').where({ action: 'staff.role_add', account_id: accountId }).orderBy('id').first();
    assert.match(row.actor, /^operator:/);
    assert.equal(row.details.role, 'support');
    assert.equal((await cli('remove', STAFF.staffId, '--role', 'support')).status, 0);
    assert.deepEqual(await s.db('staff_roles').where({ account_id: accountId }).pluck('role'), ['auditor']);
    assert.equal((await cli('remove', STAFF.staffId)).status, 0);
    assert.equal((await s.db('staff_members')).length, 0);
    assert.equal((await cli('remove', STAFF.staffId)).status, 1);
    assert.equal((await s.db('audit_events').where({ action: 'staff.role_remove' })).length, 2);
  });
});
