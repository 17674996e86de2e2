// The JSON API and the role x route matrix, against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { demoDatabase, startServer, token, session, cliJson } from './lib.mjs';

let demo, srv, tok = {};
const C = 'KS-FURN-2025';

before(async () => {
  demo = demoDatabase();
  process.env.COOPLEDGER_MAIL_DIR = `${demo.dir}/mail-out`;
  srv = await startServer(demo.db);
  for (const role of ['admin', 'finance', 'member', 'vendor']) tok[role] = await token(srv.url, demo.users[role]);
});
after(async () => { await srv.stop(); });

const get = (path, role, headers = {}) => fetch(srv.url + path, {
  headers: role ? { authorization: `Bearer ${tok[role]}`, ...headers } : headers, redirect: 'manual',
});

test('sign-in: wrong password is 401 with one message, JSON error shape', async () => {
  const res = await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demo.users.admin.email, password: 'not-the-password' }) });
  assert.equal(res.status, 401);
  assert.match((await res.json()).error, /e-mail or password/);
});

test('me names the caller and binding', async () => {
  assert.deepEqual(await (await get('/api/v1/me', 'member')).json(),
    { email: demo.users.member.email, role: 'member', agency: demo.users.member.bound });
  assert.equal((await (await get('/api/v1/me', 'vendor')).json()).vendor, 'V-PRAIRIE');
});

test('fees, rebates and compliance equal the CLI --json', async () => {
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/fees`, 'finance')).json(),
    cliJson(demo.db, 'report', 'fees', '--contract', C));
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/fees?period=2026-Q2`, 'admin')).json(),
    cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q2'));
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/rebates?year=2`, 'admin')).json(),
    cliJson(demo.db, 'report', 'rebates', '--contract', C, '--year', '2'));
  assert.deepEqual(await (await get(`/api/v1/contracts/${C}/compliance?period=2026-Q3`, 'admin')).json(),
    cliJson(demo.db, 'report', 'compliance', '--contract', C, '--period', '2026-Q3'));
});

test('a member sees only its own allocation and its own agency', async () => {
  const r = await (await get(`/api/v1/contracts/${C}/rebates?year=2`, 'member')).json();
  assert.ok(r.allocations.length <= 1);
  for (const a of r.allocations) assert.equal(a.agency, demo.users.member.bound);
  const agencies = await (await get('/api/v1/agencies', 'member')).json();
  assert.deepEqual(agencies.map((a) => a.code), [demo.users.member.bound]);
  assert.equal((await get('/api/v1/agencies/USD259', 'member')).status, 404);
  assert.equal((await get('/api/v1/agencies/USD259/purchases', 'member')).status, 404);
  assert.equal((await get(`/api/v1/agencies/${demo.users.member.bound}/purchases?contract=${C}`, 'member')).status, 200);
});

test('a vendor sees only its own contracts and their fees', async () => {
  const list = await (await get('/api/v1/contracts', 'vendor')).json();
  assert.deepEqual(list.map((c) => c.number).sort(), ['KS-FURN-2022', 'KS-FURN-2025']);
  assert.equal((await get('/api/v1/contracts/KS-OFFC-2025', 'vendor')).status, 404);
  assert.equal((await get('/api/v1/contracts/KS-OFFC-2025/fees', 'vendor')).status, 404);
  assert.equal((await get(`/api/v1/contracts/${C}/fees`, 'vendor')).status, 200);
  assert.equal((await get(`/api/v1/contracts/${C}/rebates`, 'vendor')).status, 404);
  assert.equal((await get('/api/v1/agencies/USD259', 'vendor')).status, 404);
});

const apiRoutes = [
  ['GET', '/api/v1/me'], ['GET', '/api/v1/contracts'], ['GET', `/api/v1/contracts/${C}`],
  ['GET', `/api/v1/contracts/${C}/fees`], ['GET', `/api/v1/contracts/${C}/rebates`],
  ['GET', `/api/v1/contracts/${C}/compliance`], ['POST', `/api/v1/contracts/${C}/imports`],
  ['POST', `/api/v1/contracts/${C}/remittances`], ['GET', '/api/v1/agencies'],
  ['GET', '/api/v1/agencies/USD259'], ['GET', '/api/v1/agencies/USD259/purchases'],
];

test('anonymous callers get 401 on every API route', async () => {
  for (const [method, path] of apiRoutes) {
    const res = await fetch(srv.url + path, { method });
    assert.equal(res.status, 401, `${method} ${path}`);
    assert.match((await res.json()).error, /sign in/);
  }
});

const pages = ['/', '/contracts', `/contracts/${C}`, `/contracts/${C}/fees.csv`, '/agencies', '/agencies.csv',
  '/agencies/USD259', '/purchases', '/purchases.csv', '/imports', '/reconciliation', '/reconciliation.csv',
  '/rebates', `/rebates.csv?contract=${C}`, '/users', '/tokens', '/audit', '/audit.csv', '/contracts.csv',
  `/imports.csv?contract=${C}`, '/users.csv', '/outbox', '/revenue.pdf?year=2026',
  `/contracts/${C}/fee-statement?period=2026-Q3`, `/contracts/${C}/statements/USD233?period=2026-Q3`];

test('anonymous visitors are sent to sign in on every page', async () => {
  for (const p of pages) {
    const res = await fetch(srv.url + p, { redirect: 'manual' });
    assert.equal(res.status, 303, p);
    assert.match(res.headers.get('location'), /^\/login\?next=/, p);
  }
});

test('role x page matrix: members and vendors get 404 on what is not theirs', async () => {
  const allowed = {
    member: new Set(['/', '/contracts', `/contracts/${C}`, '/purchases', '/purchases.csv', '/tokens', '/contracts.csv',
      `/contracts/${C}/statements/USD233?period=2026-Q3`]),
    vendor: new Set(['/', '/contracts', `/contracts/${C}`, `/contracts/${C}/fees.csv`, '/imports', '/tokens',
      '/contracts.csv', `/imports.csv?contract=${C}`, `/contracts/${C}/fee-statement?period=2026-Q3`]),
  };
  for (const role of ['member', 'vendor']) {
    const s = await session(srv.url, demo.users[role]);
    for (const p of pages) {
      const res = await fetch(srv.url + p, { headers: { cookie: s.cookie }, redirect: 'manual' });
      assert.equal(res.status, allowed[role].has(p) ? 200 : 404, `${role} ${p}`);
    }
  }
  const a = await session(srv.url, demo.users.admin);
  for (const p of pages) {
    const res = await fetch(srv.url + p, { headers: { cookie: a.cookie }, redirect: 'manual' });
    assert.equal(res.status, 200, `admin ${p}`);
    if (p.includes('statement') || p.endsWith('.pdf?year=2026')) {
      assert.equal(res.headers.get('content-type'), 'application/pdf', p);
      assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString(), '%PDF-', p);
    }
  }
  const otherMember = await fetch(`${srv.url}/contracts/${C}/statements/USD259?period=2026-Q3`,
    { headers: { cookie: (await session(srv.url, demo.users.member)).cookie } });
  assert.equal(otherMember.status, 404);
  const v = await session(srv.url, demo.users.vendor);
  const foreign = await fetch(`${srv.url}/imports.csv?contract=KS-OFFC-2025`, { headers: { cookie: v.cookie } });
  assert.equal(foreign.status, 404);
  const s = await session(srv.url, demo.users.member);
  const other = await fetch(`${srv.url}/agencies/USD259`, { headers: { cookie: s.cookie } });
  assert.equal(other.status, 404);
  const own = await fetch(`${srv.url}/agencies/${demo.users.member.bound}`, { headers: { cookie: s.cookie } });
  assert.equal(own.status, 200);
});

test('forms and cookie API calls without the CSRF token are 403', async () => {
  const s = await session(srv.url, demo.users.admin);
  const form = (body) => fetch(`${srv.url}/periods`, { method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
  assert.equal((await form('quarter=2026-Q1&action=close')).status, 403);
  assert.equal((await form('quarter=2026-Q1&action=close&csrf=wrong')).status, 403);
  const api = await fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, { method: 'POST',
    headers: { cookie: s.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ period: '2026-Q3', amount: '1.00', received: '2026-11-20', reference: 'X' }) });
  assert.equal(api.status, 403);
  const ok = await form(`quarter=2026-Q1&action=close&csrf=${s.csrf}`);
  assert.equal(ok.status, 303);
});

test('a remittance through the API changes the quarter status', async () => {
  const before = (await (await get(`/api/v1/contracts/${C}/fees?period=2026-Q3`, 'finance')).json()).quarters[0];
  assert.equal(before.status, 'overdue');
  const res = await fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.finance}`, 'content-type': 'application/json' },
    body: JSON.stringify({ period: '2026-Q3', amount: before.balance, received: '2026-11-24', reference: 'ACH-API-1' }) });
  assert.equal(res.status, 201);
  const after = (await (await get(`/api/v1/contracts/${C}/fees?period=2026-Q3`, 'finance')).json()).quarters[0];
  assert.equal(after.status, 'paid');
  assert.equal(after.balance, '0.00');
  assert.equal((await fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.member}`, 'content-type': 'application/json' }, body: '{}' })).status, 404);
});

test('imports through the API: errors listed, then the fixed file moves the totals', async () => {
  const bad = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n' +
    'USD259,PO-W1,INV-W1,2026-10-05,100.00,40.00\nUSD259,PO-W2,INV-W2,2026-10-06,1.234,4\n';
  const post = (body, q = '') => fetch(`${srv.url}/api/v1/contracts/${C}/imports?period=2026-Q4${q}`, {
    method: 'POST', headers: { authorization: `Bearer ${tok.vendor}`, 'content-type': 'text/csv' }, body });
  const r1 = await post(bad);
  assert.equal(r1.status, 422);
  const j1 = await r1.json();
  assert.equal(j1.batch, null);
  assert.deepEqual(j1.errors.map((e) => [e.row, e.column]), [[2, 'list_amount']]);
  const r2 = await post(bad.replace('1.234,4', '10.00,4.00'));
  assert.equal(r2.status, 201);
  const j2 = await r2.json();
  assert.equal(j2.accepted, 2);
  assert.deepEqual(j2.totals, { list_amount: '110.00', invoiced_amount: '44.00' });
  const fees = await (await get(`/api/v1/contracts/${C}/fees?period=2026-Q4`, 'admin')).json();
  assert.equal(fees.quarters[0].net_sales, '44.00');
  assert.equal(fees.quarters[0].report, 'filed');
});

test('hostile and malformed input: clear 4xx, stored verbatim, server keeps serving', async () => {
  const post = (body, type = 'application/json') => fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, {
    method: 'POST', headers: { authorization: `Bearer ${tok.admin}`, 'content-type': type }, body });
  assert.equal((await post('{"period": ')).status, 400);
  assert.equal((await post('[]')).status, 400);
  assert.equal((await post('x'.repeat(2 << 20))).status, 413);
  const sql = "ACH-1'; DROP TABLE purchase; --";
  const r = await post(JSON.stringify({ period: '2026-Q2', amount: '1.00', received: '2026-11-21', reference: sql }));
  assert.equal(r.status, 201);
  const audit = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q2');
  assert.ok(audit.quarters.length === 1);
  const bad = await fetch(`${srv.url}/api/v1/contracts/${C}/fees?period=2026-Q9`, { headers: { authorization: `Bearer ${tok.admin}` } });
  assert.equal(bad.status, 400);
  assert.equal((await get('/api/v1/me', 'admin')).status, 200);
  const unknown = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: 'Bearer nonsense' } });
  assert.equal(unknown.status, 401);
});

test('security headers on pages and API', async () => {
  const res = await get('/api/v1/me', 'admin');
  assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'same-origin');
  const css = await fetch(`${srv.url}/static/app.css`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('cache-control'), /max-age/);
});

test('the outbox page queues and sends what is due, once', async () => {
  const s = await session(srv.url, demo.users.finance);
  const send = () => fetch(`${srv.url}/outbox/send`, { method: 'POST', redirect: 'manual',
    headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: `csrf=${s.csrf}` });
  const first = await send();
  assert.equal(first.status, 303);
  const m = decodeURIComponent(first.headers.get('location')).match(/Queued (\d+) new notices; sent (\d+)/);
  assert.ok(m, first.headers.get('location'));
  assert.ok(Number(m[1]) > 100);
  assert.equal(m[1], m[2]);
  assert.equal(readdirSync(`${demo.dir}/mail-out`).filter((f) => f.endsWith('.eml')).length, Number(m[2]));
  const again = decodeURIComponent((await send()).headers.get('location'));
  assert.match(again, /Queued 0 new notices; sent 0/);
  const page = await (await fetch(`${srv.url}/outbox`, { headers: { cookie: s.cookie } })).text();
  assert.match(page, new RegExp(`${m[2]} sent`));
  const member = await session(srv.url, demo.users.member);
  assert.equal((await fetch(`${srv.url}/outbox`, { headers: { cookie: member.cookie } })).status, 404);
});
