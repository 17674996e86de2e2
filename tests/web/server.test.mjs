// The server itself: graceful shutdown with a request in flight, and the
// body limits of forms.  Each test starts its own server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { demoDatabase, startServer, token, session } from './lib.mjs';

const C = 'KS-FURN-2025';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves once the server's log matches re (or fails after ms).
async function logShows(srv, re, ms = 5000) {
  for (let t = 0; t < ms && !re.test(srv.log()); t += 20) await sleep(20);
  assert.match(srv.log(), re);
}

test('SIGTERM finishes the request in flight, answers it in full, then exits 0', async () => {
  const demo = demoDatabase();
  const srv = await startServer(demo.db);
  const tok = await token(srv.url, demo.users.vendor);
  const n = 20000;
  let csv = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n';
  for (let i = 0; i < n; i++) csv += `USD259,PO-S${i},INV-S${i},2026-10-05,100.00,40.00\n`;
  const body = Buffer.from(csv);
  const exited = new Promise((r) => srv.proc.once('exit', (code, signal) => r({ code, signal })));
  const { hostname, port } = new URL(srv.url);
  let req;
  const answer = new Promise((resolve, reject) => {
    req = request({ hostname, port, method: 'POST',
      path: `/api/v1/contracts/${C}/imports?period=2026-Q4&dry_run=1`,
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'text/csv', 'content-length': body.length } },
    (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // half the body now: the request is in flight when the signal comes
  req.write(body.subarray(0, body.length >> 1));
  await sleep(300);
  srv.proc.kill('SIGTERM');
  await logShows(srv, /stopping: finishing requests in flight/);
  await sleep(300);
  req.end(body.subarray(body.length >> 1));
  const res = await answer;
  assert.equal(res.status, 200, res.text);
  const j = JSON.parse(res.text);
  assert.equal(j.rows, n);
  assert.equal(j.accepted, n);
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.doesNotMatch(srv.log(), /MHD_quiesce_daemon|still open/);
});

test('form bodies past the limit are 413, and the server keeps serving', async () => {
  const demo = demoDatabase();
  const srv = await startServer(demo.db);
  try {
    const form = (path, body, cookie = '') => fetch(srv.url + path, { method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }, body });
    // 2 MiB in one field, and 2 MiB of small fields
    let res = await form('/login', 'email=a%40b.example&password=' + 'x'.repeat(2 << 20));
    assert.equal(res.status, 413);
    assert.match(await res.text(), /too large/);
    // 200,000 short fields (f0=1&f1=1&...), about 2 MiB in all, none of them
    // large: the body is past the limit, whatever else is wrong with it
    const fields = (n) => Array.from({ length: n }, (_, i) => `f${i}=1`).join('&');
    assert.ok(fields(200000).length > (1 << 20));
    res = await form('/login', 'email=a%40b.example&' + fields(200000));
    assert.equal(res.status, 413);
    // the limit is 1 MiB of body, counted once: nine fields of 60,000 bytes
    // (540 KB, each under the 64 KiB field limit) are read, and the sign-in
    // is simply refused
    const big = Array.from({ length: 9 }, (_, i) => `n${i}=` + 'x'.repeat(60000)).join('&');
    res = await form('/login', 'email=a%40b.example&password=wrong-password&' + big);
    assert.equal(res.status, 401);
    // under the limit but with more fields than any form of ours: a 400 that says so
    res = await form('/login', 'email=a%40b.example&' + fields(300));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /more than 256 fields/);
    // a single field past 64 KiB in a body under the limit
    const s = await session(srv.url, demo.users.admin);
    res = await form('/periods', `csrf=${s.csrf}&quarter=2026-Q1&reason=` + 'r'.repeat(100000), s.cookie);
    assert.equal(res.status, 413);
    // multipart fields count too
    const fd = new FormData();
    fd.append('csrf', s.csrf);
    fd.append('contract', 'x'.repeat(2 << 20));
    res = await fetch(`${srv.url}/imports`, { method: 'POST', headers: { cookie: s.cookie }, body: fd, redirect: 'manual' });
    assert.equal(res.status, 413);
    // a malformed form is still a 400, and the server is fine
    res = await form('/login', 'email=%ZZ&password');
    assert.ok([400, 401].includes(res.status), String(res.status));
    assert.equal((await fetch(`${srv.url}/login`)).status, 200);
  } finally {
    await srv.stop();
  }
});

test('SIGTERM is not held up by the background sender talking to a hung SMTP server', async () => {
  const { createServer } = await import('node:net');
  const sockets = [];
  const hung = createServer((s) => { sockets.push(s); }); // accepts, never answers
  await new Promise((r) => hung.listen(0, '127.0.0.1', r));
  const demo = demoDatabase();
  const saved = { ...process.env };
  Object.assign(process.env, { COOPLEDGER_OUTBOX_INTERVAL: '1',
    COOPLEDGER_SMTP_URL: `smtp://127.0.0.1:${hung.address().port}?starttls=none&timeout=4`,
    COOPLEDGER_MAIL_FROM: 'contracts@usd259.ks.example' });
  let srv;
  try {
    srv = await startServer(demo.db);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  try {
    // the first pass starts after a second and sits in its first SMTP greeting
    for (let t = 0; t < 5000 && sockets.length === 0; t += 50) await sleep(50);
    assert.ok(sockets.length > 0, 'the sender connected to the SMTP server');
    const exited = new Promise((r) => srv.proc.once('exit', (code, signal) => r({ code, signal })));
    const t0 = Date.now();
    srv.proc.kill('SIGTERM');
    const end = await exited;
    const secs = (Date.now() - t0) / 1000;
    assert.deepEqual(end, { code: 0, signal: null });
    // one SMTP step (timeout=4 s) at most, not a pass over every due notice
    assert.ok(secs < 12, `stopped after ${secs} s`);
  } finally {
    for (const s of sockets) s.destroy();
    hung.close();
  }
});
