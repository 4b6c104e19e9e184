// Shared helpers for the black-box API tests (not a test file itself:
// `node --test tests/api/` only runs *.test.mjs).
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Client } from '../lib/client.mjs';

/** Words an error answer must never contain: they would leak internals. */
export const LEAK_RE = /sqlite|\bSQL\b|constraint failed|app_user|audit_entry|user_session|\.c:\d+|errno/i;

/** Find a demo login by username. */
export function who(srv, username) {
  const l = srv.logins.find((x) => x.username === username);
  if (!l) throw new Error(`no demo login ${username}`);
  return l;
}

/** After srv.restart() the port changes: point clients at the new URL. */
export function rebase(srv, ...clients) {
  for (const c of clients) c.base = srv.url;
}

/** Restart srv with FQ_NOW_OFFSET_MS = offsetMs and rebase clients. */
export async function restartAt(srv, offsetMs, ...clients) {
  srv.env = { ...srv.env, FQ_NOW_OFFSET_MS: String(offsetMs) };
  await srv.restart();
  rebase(srv, ...clients);
}

/**
 * Assert a response is a JSON error of the documented shape:
 * {"error":{"code","message"[,"field"]}} with Content-Type application/json.
 * r: { status, headers (Headers or plain object), json, text }.
 */
export function assertError(r, status, code, field) {
  const ctype = typeof r.headers?.get === 'function' ? r.headers.get('content-type') : r.headers?.['content-type'];
  assert.equal(r.status, status, `expected ${status} ${code}, got ${r.status}: ${r.text}`);
  assert.match(ctype || '', /^application\/json/, `error Content-Type: ${ctype}`);
  assert.ok(r.json && typeof r.json === 'object', `error body is not JSON: ${r.text}`);
  assert.deepEqual(Object.keys(r.json), ['error'], `error body shape: ${r.text}`);
  const e = r.json.error;
  assert.equal(e.code, code, `error code: ${r.text}`);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0, 'error message is empty');
  if (field !== undefined) assert.equal(e.field, field, `error field: ${r.text}`);
  for (const k of Object.keys(e)) assert.ok(['code', 'message', 'field'].includes(k), `unexpected key ${k} in ${r.text}`);
  assert.doesNotMatch(r.text, LEAK_RE, `error answer leaks internals: ${r.text}`);
  return e;
}

/**
 * One request over a raw socket: write `data` (string or Buffer, or an array
 * of [delayMs, chunk] pairs), read until the server closes or `timeout` ms pass.
 * Resolves { status, headers, body, text, closed, ms, json }.
 */
export function rawRequest(port, data, { timeout = 5000, localAddress } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let buf = Buffer.alloc(0);
    let done = false;
    let closed = false;
    let timer;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve(parseResponse(buf, closed, Date.now() - t0));
    };
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const p = parseResponse(buf, false, 0);
      // A complete answer with a Content-Length body: stop here.
      if (p.status && p.status !== 100 && p.complete) finish();
    });
    s.on('error', () => {});
    s.on('close', () => { closed = true; finish(); });
    timer = setTimeout(finish, timeout);
    if (Array.isArray(data)) {
      (async () => {
        for (const [delay, chunk] of data) {
          if (delay) await new Promise((r) => setTimeout(r, delay));
          if (done || s.destroyed) return;
          s.write(chunk);
        }
      })();
    } else {
      s.write(data);
    }
  });
}

function parseResponse(buf, closed, ms) {
  const text = buf.toString('latin1');
  let start = 0;
  // Skip interim 100 Continue answers but remember them.
  let interim = null;
  for (;;) {
    const m = /^HTTP\/1\.[01] 1\d\d [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/.exec(text.slice(start));
    if (!m) break;
    interim = interim || Number(text.slice(start + 9, start + 12));
    start += m[0].length;
  }
  const rest = buf.subarray(start);
  const head = rest.toString('latin1');
  const end = head.indexOf('\r\n\r\n');
  if (!head.startsWith('HTTP/') || end < 0) return { status: 0, interim, headers: {}, body: Buffer.alloc(0), text: '', closed, ms, raw: text, json: null, complete: false };
  const lines = head.slice(0, end).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = rest.subarray(Buffer.byteLength(head.slice(0, end + 4), 'latin1'));
  const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : null;
  const complete = len !== null && body.length >= len;
  const btext = body.toString('utf8');
  let json = null;
  try { json = JSON.parse(btext); } catch { /* not JSON */ }
  return { status, interim, headers, body, text: btext, closed, ms, raw: text, json, complete };
}

/**
 * An HTTP request through node:http, optionally from another loopback source
 * address (localAddress: '127.0.0.2' …) so that per-address throttling can be
 * exercised independently. Resolves { status, headers, json, text }.
 */
export function httpReq(base, method, path, { headers = {}, body, localAddress } = {}) {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (!h['Content-Type']) h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(payload);
    }
    const req = http.request({ host: u.hostname, port: u.port, method, path: u.pathname + u.search, headers: h, localAddress, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Log in from a given source address; returns the raw answer and timing. */
export async function loginFrom(base, localAddress, username, password) {
  const t0 = process.hrtime.bigint();
  const r = await httpReq(base, 'POST', '/api/v1/session', { body: { username, password }, localAddress });
  r.ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return r;
}

/** A Client logged in with explicit credentials (throws on failure). */
export async function clientFor(srv, username, password) {
  const c = new Client(srv.url);
  const r = await c.login(username, password);
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return c;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn() until it returns truthy or timeoutMs passes; returns the elapsed ms or -1. */
export async function waitFor(fn, timeoutMs, stepMs = 100) {
  const t0 = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) return -1;
    await sleep(stepMs);
  }
}

/** Access-log lines (JSON objects) the server has printed so far. */
export function accessLog(srv) {
  return srv.output.split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);
}

/** Stop the server (SIGTERM) and check it exited 0 without any sanitizer report. */
export async function stopAndCheck(srv) {
  const ex = await srv.stop();
  assert.doesNotMatch(srv.output, /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/, srv.output.slice(-3000));
  assert.deepEqual(ex, { code: 0, signal: null }, `server exit: ${JSON.stringify(ex)}\n${srv.output.slice(-1000)}`);
}
