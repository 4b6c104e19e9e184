// Live events (GET /api/v1/events, server-sent events): what a stream
// carries after each write, scope and rights filtering, catch-up from
// Last-Event-ID, the "reset" answer when the missed events are gone (an id
// of another run), the end of a stream at logout and at server stop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { loginAs } from '../lib/client.mjs';
import { who, assertError, rebase, stopAndCheck } from './helpers.mjs';

const STATION = '339902510000';
const STATION2 = '339902520000';
const PHONE = '13812345678';

let srv;
const as = {};
const open = []; // streams to close at the end

before(async () => {
  srv = await startServer({ demo: true });
  for (const name of ['operator', 'chief', 'chief2', 'community', 'volunteer']) as[name] = await loginAs(srv, who(srv, name));
});

after(async () => {
  for (const s of open) s.close();
  await stopAndCheck(srv);
});

/**
 * Open an event stream as client c. Returns { status, headers, next(type?, ms), quiet(ms), close, ended }.
 * Frames are parsed as the SSE format says: fields up to a blank line.
 */
async function stream(c, { lastEventId, query = '' } = {}) {
  const ac = new AbortController();
  const headers = { Accept: 'text/event-stream' };
  if (c.cookie) headers.Cookie = c.cookie;
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const r = await fetch(`${srv.url}/api/v1/events${query}`, { headers, signal: ac.signal });
  const s = { status: r.status, headers: r.headers, frames: [], waiters: [], ended: false, retry: null };
  s.close = () => ac.abort();
  if (r.status !== 200) {
    s.text = await r.text();
    try { s.json = JSON.parse(s.text); } catch { /* not JSON */ }
    return s;
  }
  open.push(s);
  const notify = () => { for (const w of s.waiters.splice(0)) w(); };
  s.done = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of r.body) {
        buf += decoder.decode(chunk, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const f = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue; // comment (ping)
            const i = line.indexOf(':');
            const k = i < 0 ? line : line.slice(0, i);
            const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            f[k] = f[k] === undefined ? v : `${f[k]}\n${v}`;
          }
          if (f.retry !== undefined && f.event === undefined && f.data === undefined) { s.retry = Number(f.retry); continue; }
          if (f.data === undefined) continue;
          s.frames.push({ id: f.id, type: f.event || 'message', raw: f.data, data: JSON.parse(f.data) });
          notify();
        }
      }
    } catch { /* aborted */ }
    s.ended = true;
    notify();
  })();
  let read = 0;
  /** The next frame (of type, when given), skipping others; fails after ms. */
  s.next = async (type, ms = 5000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      while (read < s.frames.length) {
        const f = s.frames[read++];
        if (!type || f.type === type) return f;
      }
      if (s.ended) throw new Error(`stream ended waiting for ${type || 'a frame'}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type || 'frame'} within ${ms} ms; got ${JSON.stringify(s.frames.map((x) => x.type))}`);
      await new Promise((res) => { const t = setTimeout(res, left); s.waiters.push(() => { clearTimeout(t); res(); }); });
    }
  };
  /** Frames not yet read by next(). */
  s.unread = () => s.frames.slice(read);
  return s;
}

let seq = 0;
const fight = (extra = {}) => ({
  received_at: new Date(Date.now() - 60000 + seq++ * 1000).toISOString(),
  source: 'phone_110',
  caller_name: '张三',
  caller_phone: `1381234${String(5000 + seq).padStart(4, '0')}`,
  location: { lat: 29.74 + seq * 0.01, lon: 120.24 },
  address: '枫溪镇东街12号',
  category: 'public_order.fight',
  description: '有人在饭店门口打架',
  ...extra,
});

test('a stream needs a session and answers text/event-stream with a retry hint', async () => {
  const anon = await fetch(`${srv.url}/api/v1/events`);
  const text = await anon.text();
  assertError({ status: anon.status, headers: anon.headers, text, json: JSON.parse(text) }, 401, 'unauthenticated');

  const s = await stream(as.operator);
  assert.equal(s.status, 200);
  assert.match(s.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(s.headers.get('cache-control'), 'no-store');
  assert.equal(s.headers.get('x-accel-buffering'), 'no');
  // The retry line arrives before any event.
  const t0 = Date.now();
  while (s.retry === null && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(s.retry, 3000);
  s.close();
});

test('Last-Event-ID must be a non-negative integer', async () => {
  for (const bad of ['abc', '-1', '12x', '1.5']) {
    const s = await stream(as.operator, { lastEventId: bad });
    assertError({ status: s.status, headers: s.headers, text: s.text, json: s.json }, 400, 'invalid_value', 'Last-Event-ID');
  }
  const s = await stream(as.operator, { query: '?last_event_id=x' });
  assertError({ status: s.status, headers: s.headers, text: s.text, json: s.json }, 400, 'invalid_value', 'last_event_id');
});

test('a new alert reaches the station, summaries only: no phones, no names', async () => {
  const s = await stream(as.operator);
  const chiefStream = await stream(as.chief);
  const r = await as.operator.post('/api/v1/alerts', fight({ caller_phone: PHONE }));
  assert.equal(r.status, 201, r.text);
  const a = await s.next('alert.created');
  assert.equal(a.data.id, r.json.alert.id);
  assert.equal(a.data.incident_id, r.json.incident.id);
  assert.equal(a.data.unit, STATION);
  const i = await s.next('incident.created');
  assert.equal(i.data.id, r.json.incident.id);
  assert.equal(i.data.state, 'received');
  assert.ok(Number(i.id) > Number(a.id), 'ids increase');
  for (const f of [a, i]) {
    assert.doesNotMatch(f.raw, /138\D*1234\D*5678|张三|东街/, `event leaks personal data: ${f.raw}`);
    assert.ok(!('caller_phone' in f.data) && !('caller_name' in f.data) && !('address' in f.data));
  }
  // Everyone of the station with the right sees it.
  assert.equal((await chiefStream.next('incident.created')).data.id, r.json.incident.id);
  s.close();
  chiefStream.close();
});

test("streams carry only events inside the user's scope and rights", async () => {
  const mine = await stream(as.operator);
  const other = await stream(as.chief2);
  const volunteer = await stream(as.volunteer);
  const community = await stream(as.community);

  const r = await as.operator.post('/api/v1/alerts', fight());
  assert.equal(r.status, 201, r.text);
  await mine.next('incident.created');
  // The community officer reads incidents (incident.read) in the same station.
  assert.equal((await community.next('incident.created')).data.id, r.json.incident.id);
  // The other station then makes an event of its own: it must be the first thing its chief sees.
  const u = await as.chief2.post('/api/v1/response-units', { call_sign: '二所摩巡1组', type: 'motorbike' });
  assert.equal(u.status, 201, u.text);
  const first = await other.next();
  assert.equal(first.type, 'unit.updated', `chief2 saw ${first.type}: ${first.raw}`);
  assert.equal(first.data.unit, STATION2);
  assert.equal(first.data.id, u.json.response_unit.id);
  // The operator's station stream does not carry the other station's unit.
  await new Promise((res) => setTimeout(res, 300));
  assert.ok(!mine.unread().some((f) => f.data.unit === STATION2), JSON.stringify(mine.unread()));
  // Volunteers have no incident.read: nothing reaches them.
  assert.deepEqual(volunteer.frames, []);
  for (const s of [mine, other, volunteer, community]) s.close();
});

test('state changes, dispatches and directives are published', async () => {
  const s = await stream(as.operator);
  const a = await as.operator.post('/api/v1/alerts', fight());
  const incident = a.json.incident;
  await s.next('incident.created');

  const u = await as.operator.post('/api/v1/response-units', { call_sign: '事件测试巡逻车', type: 'car' });
  assert.equal(u.status, 201, u.text);
  const uc = await s.next('unit.updated');
  assert.equal(uc.data.id, u.json.response_unit.id);
  const pos = await as.operator.post(`/api/v1/response-units/${uc.data.id}/positions`, { location: { lat: 29.745, lon: 120.245 } });
  assert.equal(pos.status, 201, pos.text);
  assert.equal((await s.next('unit.position')).data.id, uc.data.id);
  const d = await as.operator.post(`/api/v1/incidents/${incident.id}/dispatches`, { units: [uc.data.id] });
  assert.equal(d.status, 201, d.text);
  const dc = await s.next('dispatch.created');
  assert.equal(dc.data.id, d.json.dispatches[0].id);
  assert.equal(dc.data.unit, STATION);
  const iu = await s.next('incident.updated');
  assert.equal(iu.data.id, incident.id);
  assert.equal(iu.data.state, 'dispatched');

  const ack = await as.operator.post(`/api/v1/dispatches/${dc.data.id}/acknowledge`, {});
  assert.equal(ack.status, 200, ack.text);
  assert.equal((await s.next('dispatch.updated')).data.id, dc.data.id);

  const dir = await as.operator.post('/api/v1/directives', {
    incident_id: incident.id, source: 'incident', target_team: 'community', target_user_id: as.community.user.id,
    title: '东街饭店打架隐患排查', what_to_do: '走访东街饭店，排查纠纷隐患并反馈',
    deadline_at: new Date(Date.now() + 3 * 86400000).toISOString(),
  });
  assert.equal(dir.status, 201, dir.text);
  const dcr = await s.next('directive.created');
  assert.equal(dcr.data.id, dir.json.directive.id);
  s.close();
});

test('an operator merging two incidents publishes incident.merged for the one merged away', async () => {
  const s = await stream(as.operator);
  const a = await as.operator.post('/api/v1/alerts', fight({ location: { lat: 29.60, lon: 120.10 } }));
  const b = await as.operator.post('/api/v1/alerts', fight({ location: { lat: 29.62, lon: 120.40 }, category: 'help.lost_property', description: '丢了钱包' }));
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.notEqual(a.json.incident.id, b.json.incident.id);
  const m = await as.operator.post(`/api/v1/incidents/${a.json.incident.id}/merge`, { from_incident_id: b.json.incident.id, reason: '同一事件，报警人描述不同' });
  assert.equal(m.status, 200, m.text);
  const gone = await s.next('incident.merged');
  assert.equal(gone.data.id, b.json.incident.id);
  assert.equal(gone.data.merged_into, a.json.incident.id);
  assert.equal(gone.data.unit, STATION);
  s.close();
});

test('a reconnecting client gets exactly what it missed, from Last-Event-ID or ?last_event_id=', async () => {
  const s = await stream(as.operator);
  await as.operator.post('/api/v1/alerts', fight());
  const seen = await s.next('incident.created');
  s.close();

  const missed = [];
  for (let i = 0; i < 3; i++) {
    const r = await as.operator.post('/api/v1/alerts', fight());
    assert.equal(r.status, 201, r.text);
    missed.push(r.json.incident.id);
  }
  for (const how of ['header', 'query']) {
    const again = how === 'header'
      ? await stream(as.operator, { lastEventId: seen.id })
      : await stream(as.operator, { query: `?last_event_id=${seen.id}` });
    assert.equal(again.status, 200);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await again.next('incident.created')).data.id);
    assert.deepEqual(got, missed, `replayed by ${how}`);
    const ids = again.frames.map((f) => Number(f.id));
    assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), 'in order');
    assert.ok(ids[0] > Number(seen.id), 'nothing already seen is sent again');
    assert.ok(!again.frames.some((f) => f.type === 'reset'));
    again.close();
  }
});

test('an id the server no longer holds (another run) gets a reset', async () => {
  const s = await stream(as.operator, { lastEventId: 1 });
  const f = await s.next();
  assert.equal(f.type, 'reset');
  assert.ok(Number(f.id) > 1);
  s.close();

  // Ids of a run before a restart: reset too, then live events again.
  const before = await stream(as.operator);
  await as.operator.post('/api/v1/alerts', fight());
  const last = await before.next('incident.created');
  before.close();
  await srv.restart();
  rebase(srv, ...Object.values(as));
  for (const name of Object.keys(as)) as[name] = await loginAs(srv, who(srv, name));
  const after = await stream(as.operator, { lastEventId: last.id });
  const r = await after.next();
  assert.equal(r.type, 'reset');
  assert.ok(Number(r.id) > Number(last.id), 'ids keep growing across restarts');
  await as.operator.post('/api/v1/alerts', fight());
  assert.ok(Number((await after.next('incident.created')).id) > Number(r.id));
  after.close();
});

test('logging out ends the stream', async () => {
  const c = await loginAs(srv, who(srv, 'operator'));
  const s = await stream(c);
  assert.equal(s.status, 200);
  const out = await c.del('/api/v1/session');
  assert.ok(out.status === 200 || out.status === 204, out.text);
  const t0 = Date.now();
  while (!s.ended && Date.now() - t0 < 9000) await new Promise((r) => setTimeout(r, 100));
  assert.ok(s.ended, 'stream still open 9 s after logout');
});

test('the server stops promptly with streams open', async () => {
  const s = await stream(as.operator);
  const s2 = await stream(as.chief);
  assert.equal(s.status, 200);
  const t0 = Date.now();
  const ex = await srv.stop();
  assert.deepEqual(ex, { code: 0, signal: null }, srv.output.slice(-1000));
  assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms`);
  await s.done;
  await s2.done;
  assert.ok(s.ended && s2.ended);
  assert.doesNotMatch(srv.output, /AddressSanitizer|LeakSanitizer|runtime error:/, srv.output.slice(-3000));
  await srv.restart(); // for after()'s stop
});
