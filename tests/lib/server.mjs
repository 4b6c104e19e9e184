// Starts the real fengqiao binary on a free loopback port against a
// throw-away database, for API, crash and browser tests.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The binary under test: $FQ_BIN, else build/fengqiao. */
export function binary() {
  return process.env.FQ_BIN ? resolve(process.env.FQ_BIN) : join(ROOT, 'build', 'fengqiao');
}

export async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Run a fengqiao subcommand; resolves { stdout, stderr } or rejects with code. */
export async function fq(args, { input, env } = {}) {
  const child = execFile(binary(), args, { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const done = new Promise((res, rej) => {
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 ? res({ stdout, stderr, code }) : rej(Object.assign(new Error(`fengqiao ${args[0]} exited ${code}: ${stderr}`), { stdout, stderr, code }))));
  });
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  return done;
}

/** Parse "login: USER PASSWORD ROLE UNIT" lines. */
export function parseLogins(text) {
  return text.split('\n').filter((l) => l.startsWith('login: ')).map((l) => {
    const [username, password, role, unit] = l.slice(7).trim().split(/\s+/);
    return { username, password, role, unit };
  });
}

/**
 * The demo (fengqiao demo). registry: the size of the community registries,
 * 'small' (1 % of the town: quick, the default for tests), 'full' or 'none'.
 */
export async function createDemo(db, seed = 1, registry = 'small') {
  const { stdout } = await fq(['demo', '--db', db, '--seed', String(seed), '--registry', registry]);
  return parseLogins(stdout);
}

/**
 * Start a server. Options: demo (default true: create the demo data),
 * registry (the demo's registries: 'small' by default, 'full' or 'none'),
 * db (reuse a database file), args (extra serve arguments), env.
 */
export async function startServer(opts = {}) {
  const { demo = true, seed = 1, args = [], env = {}, registry = 'small' } = opts;
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'fq-test-'));
  const db = opts.db || join(dir, 'test.db');
  let logins = opts.logins || [];
  if (demo && !existsSync(db)) logins = await createDemo(db, seed, registry);
  const srv = { dir, db, logins, bin: binary(), args, env };
  await launch(srv);
  return srv;
}

async function launch(srv) {
  srv.port = await freePort();
  srv.url = `http://127.0.0.1:${srv.port}`;
  srv.output = '';
  const proc = spawn(srv.bin, ['serve', '--db', srv.db, '--listen', `127.0.0.1:${srv.port}`, ...srv.args], {
    env: { ...process.env, ...srv.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  srv.proc = proc;
  proc.stdout.on('data', (d) => (srv.output += d));
  proc.stderr.on('data', (d) => (srv.output += d));
  srv.exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early: ${srv.output}`);
    try {
      const r = await fetch(`${srv.url}/api/v1/health`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server did not start: ${srv.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  srv.stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    return srv.exited;
  };
  srv.kill9 = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    return srv.exited;
  };
  srv.restart = async () => {
    await srv.stop();
    await launch(srv);
  };
  srv.cleanup = async () => {
    await srv.stop();
    rmSync(srv.dir, { recursive: true, force: true });
  };
}

export { execFileP };
