// Static files of the web UI, embedded in the binary: index.html for / and
// for SPA routes, assets by name, 404 for unknown assets, and no way out of
// the embedded set by path traversal (raw sockets: no client normalisation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { assertError, rawRequest, stopAndCheck } from './helpers.mjs';

let srv;
let index;

before(async () => {
  srv = await startServer({ demo: false });
  const r = await fetch(`${srv.url}/`);
  index = await r.text();
});

after(async () => {
  if (srv) await srv.cleanup();
});

function get(path, extra = '') {
  return rawRequest(srv.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`);
}

test('/ serves index.html as text/html with security headers', async () => {
  const r = await fetch(`${srv.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /script-src[^;]*(unsafe-inline|unsafe-eval|https?:)/);
  assert.match(index, /<!doctype html>/i);
  assert.match(index, /lang="zh-CN"/);
  // Nothing is loaded from the internet at run time.
  assert.doesNotMatch(index, /(src|href)="(https?:)?\/\//);
});

test('unknown SPA routes serve index.html', async () => {
  for (const p of ['/commandroom', '/community/grids', '/admin/users/', '/login']) {
    const r = await fetch(srv.url + p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), /^text\/html/, p);
    assert.equal(await r.text(), index, p);
  }
});

test('assets are served by name with their type and long caching', async () => {
  const m = /src="(\/assets\/[^"]+\.js)"/.exec(index);
  assert.ok(m, 'index.html names its script');
  const r = await fetch(srv.url + m[1]);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.match(r.headers.get('cache-control'), /immutable/);
  assert.ok((await r.text()).length > 100);
  const fav = await fetch(`${srv.url}/favicon.svg`);
  assert.equal(fav.status, 200);
  assert.match(fav.headers.get('content-type'), /^image\/svg\+xml/);
});

test('an unknown asset is a JSON 404, not index.html', async () => {
  for (const p of ['/assets/nope.js', '/assets/nope.css', '/nope.png', '/.env', '/index.php']) {
    const r = await get(p);
    assertError(r, 404, 'not_found');
  }
  // /api/… never falls back to the page either.
  assertError(await get('/api/v1/commandroom'), 404, 'no_such_endpoint');
});

test('path traversal never reaches a file outside the embedded UI', async () => {
  const attempts = [
    '/../etc/passwd',
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/assets/..%2f..%2fMakefile',
    '/assets/../../Makefile',
    '/assets/%2e%2e/%2e%2e/src/main.c',
    '/..\\..\\etc\\passwd',
    '/..%5c..%5cetc%5cpasswd',
    '/assets\\..\\..\\Makefile',
    '/./etc/passwd',
    '//etc/passwd',
    '/assets/./../index.html',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%252f..%252fetc%252fpasswd',
    '/....//....//etc/passwd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  ];
  for (const p of attempts) {
    const r = await get(p);
    assert.ok(r.status === 400 || r.status === 404, `${p}: ${r.status}`);
    assert.match(r.headers['content-type'] || '', /^application\/json/, p);
    assert.ok(r.json && r.json.error && typeof r.json.error.code === 'string', `${p}: ${r.text}`);
    assert.doesNotMatch(r.text, /root:|#include|fengqiao:|CFLAGS|\$\(CC\)/, p);
  }
  // The ones with a literal .. or backslash are refused outright.
  for (const p of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fMakefile', '/..\\..\\etc\\passwd']) {
    assertError(await get(p), 400, 'invalid_path');
  }
});

test('only GET and HEAD on static files (405 with Allow)', async () => {
  const r = await rawRequest(srv.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  assertError(r, 405, 'method_not_allowed');
  assert.equal(r.headers.allow, 'GET, HEAD');
  const d = await rawRequest(srv.port, 'DELETE /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assertError(d, 405, 'method_not_allowed');
  const h = await rawRequest(srv.port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeout: 1500 });
  assert.equal(h.status, 200);
  assert.equal(h.body.length, 0, 'HEAD has no body');
});

test('the server stops cleanly: exit 0, no sanitizer report', () => stopAndCheck(srv));
