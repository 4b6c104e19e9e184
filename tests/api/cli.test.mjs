// The command line: user add|passwd|roles|disable|list, backup, migrate, demo.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startServer, fq, createDemo } from '../lib/server.mjs';
import { Client, loginAs } from '../lib/client.mjs';
import { who, stopAndCheck } from './helpers.mjs';

const PW = 'Command-Line-Secret-41';
let srv;
let tmp;

/** Run a subcommand that must fail; resolves { code, stdout, stderr }. */
async function fqFail(args, opts) {
  try {
    const r = await fq(args, opts);
    assert.fail(`fengqiao ${args.join(' ')} succeeded: ${r.stdout}`);
  } catch (e) {
    if (e.code === 'ERR_ASSERTION') throw e;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function listed(db) {
  const { stdout } = await fq(['user', 'list', '--db', db]);
  return stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
}

before(async () => {
  srv = await startServer({ demo: true });
  tmp = mkdtempSync(join(tmpdir(), 'fq-cli-'));
});

after(async () => {
  if (srv) await srv.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('user add: a weak password is refused with a clear message', async () => {
  const args = ['user', 'add', '--db', srv.db, '--username', 'weakling', '--name', '弱', '--unit', '339902510000', '--roles', 'operator'];
  let r = await fqFail(args, { input: 'short1\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /密码至少需要 12 个字符/);
  assert.match(r.stderr, /\[password\]/);
  r = await fqFail(args, { input: 'password1234\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /常见/);
  r = await fqFail(args, { input: 'My-weakling-Pass-1\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /用户名/);
  r = await fqFail(args, { input: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /password/);
  assert.ok(!(await listed(srv.db)).includes('weakling'));
});

test('user add: unknown unit, unknown role, bad username, duplicate', async () => {
  const base = ['user', 'add', '--db', srv.db, '--name', '某人'];
  let r = await fqFail([...base, '--username', 'lost', '--unit', '999999999999', '--roles', 'operator'], { input: PW + '\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /单位不存在：999999999999/);
  assert.match(r.stderr, /\[unit\]/);
  r = await fqFail([...base, '--username', 'lost', '--unit', '339902510000', '--roles', 'operator,wizard'], { input: PW + '\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /未知角色：wizard/);
  r = await fqFail([...base, '--username', 'Lost One', '--unit', '339902510000', '--roles', 'operator'], { input: PW + '\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[username\]/);
  r = await fqFail([...base, '--username', 'lost', '--roles', 'operator'], { input: PW + '\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--unit/);
  r = await fqFail(['user', 'add', '--db', srv.db, '--unit', '339902510000', '--roles', 'operator'], { input: PW + '\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--username/);
  r = await fqFail([...base, '--username', 'chief', '--unit', '339902510000', '--roles', 'operator'], { input: PW + '\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /用户名已存在：chief/);
  assert.ok(!(await listed(srv.db)).includes('lost'));
});

test('user add, passwd, roles, disable, enable, list — against the running server', async () => {
  const { stdout } = await fq(['user', 'add', '--db', srv.db, '--username', 'clinew', '--name', '命令行', '--unit', '339902520000', '--roles', 'chief,auditor'], { input: PW + '\n' });
  assert.equal(stdout.trim(), 'user.create: clinew (339902520000)');
  const c = new Client(srv.url);
  const r = await c.login('clinew', PW);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.user.roles, ['chief', 'auditor']);
  assert.equal(r.json.user.display_name, '命令行');
  const NEW = 'Rotated-Secret-From-CLI-3';
  await fq(['user', 'passwd', '--db', srv.db, '--username', 'clinew'], { input: NEW + '\n' });
  assert.equal((await new Client(srv.url).login('clinew', PW)).status, 401);
  assert.equal((await new Client(srv.url).login('clinew', NEW)).status, 200);
  const bad = await fqFail(['user', 'passwd', '--db', srv.db, '--username', 'clinew'], { input: 'tooshort\n' });
  assert.equal(bad.code, 1);
  await fq(['user', 'roles', '--db', srv.db, '--username', 'clinew', '--roles', 'volunteer']);
  const after = await new Client(srv.url).login('clinew', NEW);
  assert.deepEqual(after.json.user.roles, ['volunteer']);
  const nobody = await fqFail(['user', 'disable', '--db', srv.db, '--username', 'nobody']);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /用户不存在/);
  const list = await fq(['user', 'list', '--db', srv.db]);
  const line = list.stdout.split('\n').find((l) => l.startsWith('clinew '));
  assert.ok(line, list.stdout);
  assert.match(line, /339902520000/);
  assert.match(line, /\["volunteer"\]/);
  for (const l of srv.logins) assert.ok(list.stdout.includes(l.username), l.username);
  assert.doesNotMatch(list.stdout, /argon|Fq-/, 'the list shows no password material');
});

test('backup: a consistent online copy that a server can start on', async () => {
  const admin = await loginAs(srv, who(srv, 'admin'));
  const target = (await admin.get('/api/v1/users?q=auxiliary')).json.items[0];
  // Writes go on while the backup is taken.
  let version = target.version;
  let stop = false;
  const writer = (async () => {
    let n = 0;
    while (!stop) {
      const r = await admin.patch(`/api/v1/users/${target.id}`, { display_name: `备份${n++}`, version });
      assert.equal(r.status, 200, r.text);
      version = r.json.user.version;
    }
  })();
  const dest = join(tmp, 'copy.db');
  const { stdout } = await fq(['backup', '--db', srv.db, dest]);
  stop = true;
  await writer;
  assert.match(stdout, /backup written to/);
  assert.ok(statSync(dest).size > 4096);
  const v = await fq(['audit', 'verify', '--db', dest]);
  assert.match(v.stdout, /intact/);
  const copy = await startServer({ db: dest, dir: tmp, demo: false });
  try {
    const chief = who(srv, 'chief');
    const c = new Client(copy.url);
    const r = await c.login(chief.username, chief.password);
    assert.equal(r.status, 200, r.text);
    const h = await (await fetch(`${copy.url}/api/v1/health`)).json();
    assert.equal(h.store.status, 'ok');
    assert.equal(h.schema_version, h.schema_latest);
  } finally {
    await copy.stop();
  }
});

test('backup refuses to overwrite an existing file', async () => {
  const dest = join(tmp, 'exists.db');
  await fq(['backup', '--db', srv.db, dest]);
  const before = readFileSync(dest);
  const r = await fqFail(['backup', '--db', srv.db, dest]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /已存在/);
  assert.ok(readFileSync(dest).equals(before), 'the existing file was changed');
  const usage = await fqFail(['backup', '--db', srv.db]);
  assert.equal(usage.code, 2);
  const nodir = await fqFail(['backup', '--db', srv.db, join(tmp, 'no', 'such', 'dir.db')]);
  assert.notEqual(nodir.code, 0);
});

test('migrate reports the schema version', async () => {
  const latest = Number(/schema (\d+)/.exec((await fq(['version'])).stdout)[1]);
  const fresh = join(tmp, 'fresh.db');
  let r = await fq(['migrate', '--db', fresh]);
  // Every embedded migration applies to a fresh store (numbers may have gaps).
  const applied = Number(new RegExp(`^schema version ${latest} \\((\\d+) migrations? applied\\)`).exec(r.stdout)?.[1]);
  assert.ok(applied >= 1 && applied <= latest, r.stdout);
  r = await fq(['migrate', '--db', fresh]);
  assert.match(r.stdout, new RegExp(`^schema version ${latest} \\(0 migrations applied\\)`));
  r = await fq(['migrate', '--db', srv.db]);
  assert.match(r.stdout, /\(0 migrations applied\)/);
  const nodb = await fqFail(['migrate']);
  assert.notEqual(nodb.code, 0);
  assert.match(nodb.stderr, /--db/);
});

test('demo: deterministic for a seed, and refused on a database that has data', async () => {
  const a = await createDemo(join(tmp, 'demo-a.db'), 7);
  const b = await createDemo(join(tmp, 'demo-b.db'), 7);
  const c = await createDemo(join(tmp, 'demo-c.db'), 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((l) => l.password), c.map((l) => l.password));
  assert.equal(a[0].username, 'chief', 'the station chief first');
  assert.equal(a.length, 11);
  assert.equal(new Set(a.map((l) => l.password)).size, a.length, 'no shared passwords');
  const r = await fqFail(['demo', '--db', srv.db]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /已有数据/);
  assert.doesNotMatch(r.stdout, /login:/);
  const again = await fqFail(['demo', '--db', join(tmp, 'demo-a.db'), '--seed', '7']);
  assert.equal(again.code, 1);
  // The existing server's data is untouched: the demo logins still work.
  assert.equal((await new Client(srv.url).login(who(srv, 'chief2').username, who(srv, 'chief2').password)).status, 200);
  assert.ok(!existsSync(join(tmp, 'demo-a.db-wal')) || statSync(join(tmp, 'demo-a.db-wal')).size === 0, 'demo leaves no WAL behind');
});

test('unknown commands and options exit 2 with usage', async () => {
  let r = await fqFail(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: fengqiao/);
  r = await fqFail(['serve', '--db', srv.db, '--listen', 'nonsense']);
  assert.equal(r.code, 2);
  r = await fqFail(['audit', 'rewrite', '--db', srv.db]);
  assert.equal(r.code, 2);
  r = await fqFail(['user', 'frob', '--db', srv.db, '--username', 'chief']);
  assert.notEqual(r.code, 0);
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
