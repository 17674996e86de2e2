// The JSON API and the role x route matrix, against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, token, session, cliJson, cli, root } from './lib.mjs';

let demo, srv, tok = {};
const C = 'KS-FURN-2025';
const csvHeader = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n';

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
  assert.match((await res.json()).error, /e-mail address or password is not right/);
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
  const quarter = await (await get(`/api/v1/contracts/${C}/compliance?period=2026-Q3&limit=1000`, 'admin')).json();
  const cliQuarter = cliJson(demo.db, 'report', 'compliance', '--contract', C, '--period', '2026-Q3');
  assert.deepEqual(quarter.paging, { page: 1, limit: 1000, pages: 1, line_count: cliQuarter.lines.length });
  delete quarter.paging;
  assert.deepEqual(quarter, cliQuarter);
});

test('compliance pages its lines; every page carries the totals of them all', async () => {
  const all = cliJson(demo.db, 'report', 'compliance', '--contract', C);
  const first = await (await get(`/api/v1/contracts/${C}/compliance`, 'finance')).json();
  assert.ok(all.lines.length > 100, 'the demo has more overcharged lines than a page holds');
  assert.deepEqual(first.paging, { page: 1, limit: 100, pages: Math.ceil(all.lines.length / 100),
    line_count: all.lines.length });
  assert.equal(first.lines.length, 100);
  assert.equal(first.total_overcharge, all.total_overcharge);
  assert.deepEqual(first.by_agency, all.by_agency);
  assert.deepEqual(first.by_quarter, all.by_quarter);
  const limit = 37, lines = [];
  for (let page = 1; page <= Math.ceil(all.lines.length / limit); page++) {
    const p = await (await get(`/api/v1/contracts/${C}/compliance?page=${page}&limit=${limit}`, 'admin')).json();
    assert.equal(p.paging.page, page);
    lines.push(...p.lines);
  }
  assert.deepEqual(lines, all.lines);
  const past = await (await get(`/api/v1/contracts/${C}/compliance?page=999&limit=${limit}`, 'admin')).json();
  assert.deepEqual(past.lines, []);
  assert.equal(past.total_overcharge, all.total_overcharge);
  for (const bad of ['page=0', 'page=x', 'limit=0', 'limit=1001', 'limit=-5', 'page=1e3', 'page=99999999999'])
    assert.equal((await get(`/api/v1/contracts/${C}/compliance?${bad}`, 'admin')).status, 400, bad);
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
  ['POST', '/api/v1/contracts'],
  ['GET', '/api/v1/vendors'], ['POST', '/api/v1/vendors'], ['POST', '/api/v1/vendors/V-PRAIRIE/column-map'],
  ['POST', '/api/v1/agencies'], ['POST', `/api/v1/contracts/${C}/participants`],
  ['POST', '/api/v1/users'],
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
  `/contracts/${C}/fee-statement?period=2026-Q3`, `/contracts/${C}/statements/USD233?period=2026-Q3`,
  '/agencies/USD259/purchases.csv', '/agencies/USD233/purchases.csv', `/contracts/${C}/remittances.csv`,
  '/missing-reports.csv', '/outbox.csv', '/tokens.csv', '/contracts/new', '/vendors', '/vendors.csv',
  '/vendors/V-PRAIRIE',
  `/contracts/${C}/participants.csv`, '/account', `/contracts/${C}/amend`];

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
      `/contracts/${C}/statements/USD233?period=2026-Q3`, '/agencies/USD233/purchases.csv', '/tokens.csv',
      '/account']),
    vendor: new Set(['/', '/contracts', `/contracts/${C}`, `/contracts/${C}/fees.csv`, '/imports', '/tokens',
      '/contracts.csv', `/imports.csv?contract=${C}`, `/contracts/${C}/fee-statement?period=2026-Q3`,
      `/contracts/${C}/remittances.csv`, '/tokens.csv', '/account']),
    // finance reads everything but the users (DOMAIN.md section 1) and
    // creates no contract
    finance: new Set(pages.filter((p) => !p.startsWith('/users') && p !== '/contracts/new' && !p.endsWith('/amend'))),
  };
  for (const role of ['member', 'vendor', 'finance']) {
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

test('vendors: admin changes, finance reads, members and vendors get 404', async () => {
  const changes = [['/vendors', { code: 'V-M', name: 'M' }], ['/vendors/V-PRAIRIE', { name: 'Renamed' }],
    ['/vendors/V-PRAIRIE/contacts', { name: 'N', email: 'n@n.example' }],
    ['/vendors/V-PRAIRIE/contacts/1', { name: 'N', email: 'n@n.example' }],
    ['/vendors/V-PRAIRIE/contacts/1/remove', {}], ['/vendors/V-PRAIRIE/sample', {}],
    ['/vendors/V-PRAIRIE/column-map', { sample: 'YQ==' }]];
  for (const role of ['finance', 'member', 'vendor']) {
    const s = await session(srv.url, demo.users[role]);
    for (const [path, fields] of changes) {
      const res = await fetch(srv.url + path, { method: 'POST', redirect: 'manual',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: s.csrf, ...fields }) });
      assert.equal(res.status, 404, `${role} POST ${path}`);
    }
    for (const [path, body] of [['/api/v1/vendors', { code: 'V-M', name: 'M' }],
      ['/api/v1/vendors/V-PRAIRIE/column-map', { columns: { 'Cust #': 'agency_code' } }]]) {
      const res = await fetch(srv.url + path, { method: 'POST',
        headers: { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 404, `${role} API ${path}`);
    }
    assert.equal((await get('/api/v1/vendors', role)).status, role === 'finance' ? 200 : 404, role);
  }
  assert.ok(!cliJson(demo.db, 'vendor', 'list').some((v) => v.code === 'V-M'));
});

// The forms and API calls that change agencies, contacts and participants:
// admin only.  Members and vendors get 404; finance reads but is refused.
const recordChanges = [
  ['/agencies', { code: 'MX1', name: 'M', kind: 'city', state: 'KS', public_entity: 'yes' }],
  ['/agencies.csv', {}],
  ['/agencies/USD233', { name: 'Renamed', kind: 'city', state: 'KS', public_entity: 'yes' }],
  ['/agencies/USD233/contacts', { name: 'X', email: 'x@example.org' }],
  ['/agencies/USD233/contacts/1', { name: 'X', email: 'x@example.org' }],
  ['/agencies/USD233/contacts/1/remove', {}],
  [`/contracts/${C}/participants`, { agencies: 'USD500', joined: '2026-11-02' }],
];

test('role x change matrix: only admin changes agencies, contacts and participants', async () => {
  const changes = () => cliJson(demo.db, 'agency', 'list').map((a) => `${a.code} ${a.name}`).join('|');
  const before = changes();
  for (const role of ['member', 'vendor', 'finance']) {
    const s = await session(srv.url, demo.users[role]);
    for (const [path, body] of recordChanges) {
      const res = await fetch(srv.url + path, { method: 'POST', redirect: 'manual',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: s.csrf, ...body }) });
      if (role === 'finance') assert.ok([403, 404].includes(res.status), `${role} POST ${path}: ${res.status}`);
      else assert.equal(res.status, 404, `${role} POST ${path}`);
    }
    for (const [path, body] of [['/api/v1/agencies', { code: 'MX2', name: 'M', kind: 'city', state: 'KS' }],
      [`/api/v1/contracts/${C}/participants`, { agency: 'USD500', joined: '2026-11-02' }]]) {
      const res = await fetch(srv.url + path, { method: 'POST',
        headers: { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (role === 'finance') assert.ok([403, 404].includes(res.status), `${role} POST ${path}: ${res.status}`);
      else assert.equal(res.status, 404, `${role} POST ${path}`);
    }
  }
  assert.equal(changes(), before, 'nothing was changed');
});

test('finance reads the sales reports but cannot import: 404 on the form and the API', async () => {
  const s = await session(srv.url, demo.users.finance);
  const page = await (await fetch(`${srv.url}/imports?contract=${C}`, { headers: { cookie: s.cookie } })).text();
  assert.match(page, /id="batches"/);
  assert.doesNotMatch(page, /name="file"/);
  const fd = new FormData();
  fd.append('csrf', s.csrf);
  fd.append('contract', C);
  fd.append('period', '2026-Q4');
  fd.append('mode', 'import');
  fd.append('file', new Blob([csvHeader + 'USD259,PO-F1,INV-F1,2026-10-05,100.00,40.00\n'], { type: 'text/csv' }), 'f.csv');
  const form = await fetch(`${srv.url}/imports`, { method: 'POST', headers: { cookie: s.cookie }, body: fd, redirect: 'manual' });
  assert.ok([403, 404].includes(form.status), `form: ${form.status}`);
  const api = await fetch(`${srv.url}/api/v1/contracts/${C}/imports?period=2026-Q4&dry_run=1`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.finance}`, 'content-type': 'text/csv' },
    body: csvHeader + 'USD259,PO-F1,INV-F1,2026-10-05,100.00,40.00\n' });
  assert.ok([403, 404].includes(api.status), `API: ${api.status}`);
  const batches = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2026-Q4');
  assert.notEqual(batches.quarters[0].report, 'filed');
});

test('only admins create contracts: the others get 404 on the form and the API, and nothing is written', async () => {
  const doc = { number: 'KS-MATRIX-1', title: 'X', lead_agency: 'USD259', vendor: 'V-PRAIRIE',
    start: '2026-01-01', end: '2026-12-31', fee: { bands: [{ from: '0', rate: '1%' }] } };
  for (const role of ['finance', 'member', 'vendor']) {
    const s = await session(srv.url, demo.users[role]);
    const form = await fetch(`${srv.url}/contracts`, { method: 'POST', redirect: 'manual',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: s.csrf, number: doc.number, title: 'X', lead_agency: 'USD259',
        vendor: 'V-PRAIRIE', start: doc.start, end: doc.end, fee_from_0: '0', fee_rate_0: '1%' }).toString() });
    assert.equal(form.status, 404, `${role} form`);
    const api = await fetch(`${srv.url}/api/v1/contracts`, { method: 'POST', body: JSON.stringify(doc),
      headers: { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' } });
    assert.equal(api.status, 404, `${role} API`);
  }
  assert.equal((await get(`/api/v1/contracts/${doc.number}`, 'admin')).status, 404);
});

// Every route of the route table (web/routes.c) that only an admin may
// use, with a sample value for each :parameter: read from the table, so a
// route added later is in the matrix from its first day.
const adminRoutes = [...readFileSync(join(root, 'web', 'routes.c'), 'utf8')
  .matchAll(/\{"(GET|POST)", "([^"]+)", (\w+), R_ADMIN\}/g)]
  .map((m) => [m[1], m[2].replace(':number', C).replace(':code', 'USD259').replace(/:\w+/g, '1')]);

test('role x route matrix: every admin-only route is 404 to members and vendors, refused to finance, and writes nothing', async () => {
  assert.ok(adminRoutes.length >= 25, adminRoutes.map((r) => r.join(' ')).join(', '));
  for (const must of ['/contracts/KS-FURN-2025/amendments', '/api/v1/contracts/KS-FURN-2025/amendments',
    '/users/invite', '/users/1/deactivate', '/api/v1/users', '/contracts/KS-FURN-2025/amend']) {
    assert.ok(adminRoutes.some(([, p]) => p === must), `${must} is in the matrix`);
  }
  const audit = () => execFileSync('sqlite3', [demo.db, 'SELECT count(*) FROM audit_log'], { encoding: 'utf8' });
  const before = audit();
  for (const role of ['member', 'vendor', 'finance']) {
    const s = await session(srv.url, demo.users[role]);
    for (const [method, path] of adminRoutes) {
      const api = path.startsWith('/api/');
      const headers = api ? { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' }
        : { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' };
      const body = method === 'GET' ? undefined : api ? JSON.stringify({ email: 'x@x.example', role: 'admin' })
        : new URLSearchParams({ csrf: s.csrf, email: 'x@x.example', role: 'admin', kind: 'terminate',
          effective: '2026-11-30', reference: 'X', name: 'X', code: 'X1' }).toString();
      const res = await fetch(srv.url + path, { method, headers, body, redirect: 'manual' });
      if (role === 'finance' && method === 'POST') {
        assert.ok([403, 404].includes(res.status), `${role} ${method} ${path}: ${res.status}`);
      } else {
        assert.equal(res.status, 404, `${role} ${method} ${path}`);
      }
    }
  }
  assert.equal(audit(), before, 'no audit row: nothing was changed');
});

// Every POST route of the route table (web/routes.c), with a sample value
// for each :parameter.
const postRoutes = [...readFileSync(join(root, 'web', 'routes.c'), 'utf8')
  .matchAll(/\{"POST", "([^"]+)", (\w+), ([^}]+)\}/g)]
  .filter((m) => !m[3].includes('R_ANON'))
  .map((m) => m[1].replace(':number', C).replace(':code', 'USD259').replace(/:\w+/g, '1'));

test('every POST route of the route table refuses a cookie without the CSRF token: 403', async () => {
  assert.ok(postRoutes.length >= 13, postRoutes.join(' '));
  const s = await session(srv.url, demo.users.admin);
  for (const path of postRoutes) {
    for (const csrf of [null, 'wrong']) {
      const api = path.startsWith('/api/');
      const headers = { cookie: s.cookie, 'content-type': api ? 'application/json' : 'application/x-www-form-urlencoded' };
      if (api && csrf) headers['x-csrf-token'] = csrf;
      const body = api ? '{}' : new URLSearchParams({ reason: 'x', name: 'x', ...(csrf ? { csrf } : {}) }).toString();
      const res = await fetch(srv.url + path, { method: 'POST', headers, body, redirect: 'manual' });
      assert.equal(res.status, 403, `POST ${path} csrf=${csrf}`);
    }
  }
  // the session still works: nothing above signed it out
  assert.equal((await fetch(`${srv.url}/tokens`, { headers: { cookie: s.cookie }, redirect: 'manual' })).status, 200);
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
  const ok = await form(`quarter=2026-Q1&action=close&confirm=1&csrf=${s.csrf}`);
  assert.equal(ok.status, 303);
});

test('a remittance through the API changes the quarter status', async () => {
  const before = (await (await get(`/api/v1/contracts/${C}/fees?period=2026-Q3`, 'finance')).json()).quarters[0];
  assert.equal(before.status, 'overdue');
  const future = await fetch(`${srv.url}/api/v1/contracts/${C}/remittances`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.finance}`, 'content-type': 'application/json' },
    body: JSON.stringify({ period: '2026-Q3', amount: before.balance, received: '2026-11-26', reference: 'ACH-API-0' }) });
  assert.equal(future.status, 400);
  assert.match((await future.json()).error, /future/);
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
  const firstMsg = await shown(s, first);
  const m = firstMsg.match(/Queued (\d+) new notices; sent (\d+)/);
  assert.ok(m, firstMsg);
  assert.ok(Number(m[1]) > 100);
  assert.equal(m[1], m[2]);
  assert.equal(readdirSync(`${demo.dir}/mail-out`).filter((f) => f.endsWith('.eml')).length, Number(m[2]));
  const again = await shown(s, await send());
  assert.match(again, /Queued 0 new notices; sent 0/);
  const page = await (await fetch(`${srv.url}/outbox`, { headers: { cookie: s.cookie } })).text();
  assert.match(page, new RegExp(`${m[2]} sent`));
  // fifty notices a page, newest first; the last page holds the rest
  const rowsOf = (html) => (html.match(/<tr><td>\d+<\/td>/g) || []).length;
  assert.equal(rowsOf(page), 50);
  assert.match(page, /href="\?&page=2">next<\/a>/);
  const pages = Math.ceil(Number(m[2]) / 50);
  const last = await (await fetch(`${srv.url}/outbox?page=${pages}`, { headers: { cookie: s.cookie } })).text();
  assert.equal(rowsOf(last), Number(m[2]) - 50 * (pages - 1));
  assert.doesNotMatch(last, />next</);
  const member = await session(srv.url, demo.users.member);
  assert.equal((await fetch(`${srv.url}/outbox`, { headers: { cookie: member.cookie } })).status, 404);
});

// A cookie session's form post: urlencoded fields plus the CSRF token.
const post = (s, path, fields) => fetch(srv.url + path, { method: 'POST', redirect: 'manual',
  headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf: s.csrf, ...fields }).toString() });
const csvRows = (text) => text.trim().split('\r\n').slice(1).map((l) => l.split(','));

test('signing out ends the session: the old cookie is refused afterwards', async () => {
  const s = await session(srv.url, demo.users.member);
  assert.equal((await fetch(`${srv.url}/tokens`, { headers: { cookie: s.cookie }, redirect: 'manual' })).status, 200);
  const out = await post(s, '/logout', {});
  assert.equal(out.status, 303);
  assert.equal(out.headers.get('location'), '/login');
  assert.match(out.headers.get('set-cookie'), /cl_session=;.*Max-Age=0/);
  const page = await fetch(`${srv.url}/tokens`, { headers: { cookie: s.cookie }, redirect: 'manual' });
  assert.equal(page.status, 303);
  assert.match(page.headers.get('location'), /^\/login/);
  assert.equal((await fetch(`${srv.url}/api/v1/me`, { headers: { cookie: s.cookie } })).status, 401);
});

test('API tokens: created on the tokens page, work as Bearer, revoked ones are 401', async () => {
  const s = await session(srv.url, demo.users.vendor);
  const made = await post(s, '/tokens', { name: 'revoke-me' });
  assert.equal(made.status, 201);
  const secret = (await made.text()).match(/id="new-token">([^<]+)</)[1];
  const me = (t) => fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } });
  assert.equal((await me(secret)).status, 200);
  const page = await (await fetch(`${srv.url}/tokens`, { headers: { cookie: s.cookie } })).text();
  const id = page.match(/<td>revoke-me<\/td>.*?action="\/tokens\/(\d+)\/revoke"/)[1];
  // another user cannot revoke it
  const m = await session(srv.url, demo.users.member);
  assert.equal((await post(m, `/tokens/${id}/revoke`, {})).status, 404);
  assert.equal((await me(secret)).status, 200);
  const gone = await post(s, `/tokens/${id}/revoke`, {});
  assert.equal(gone.status, 303);
  const res = await me(secret);
  assert.equal(res.status, 401);
  assert.match((await res.json()).error, /sign in/);
  const csv = await (await fetch(`${srv.url}/tokens.csv`, { headers: { cookie: s.cookie } })).text();
  const row = csvRows(csv).find((r) => r[1] === 'revoke-me');
  assert.ok(row && row[5], `revoked_at in ${csv}`);
});

test('five failed sign-ins block the sixth, even with the right password: 429', async () => {
  const a = await session(srv.url, demo.users.admin);
  const user = { email: 'throttle@usd259.ks.example', password: 'right-password-1' };
  assert.equal((await post(a, '/users', { email: user.email, role: 'finance', password: user.password })).status, 303);
  assert.ok(await token(srv.url, user));
  const form = (password) => fetch(`${srv.url}/login`, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: user.email, password, next: '/' }).toString() });
  for (let i = 0; i < 5; i++) assert.equal((await form('wrong-password')).status, 401, `attempt ${i + 1}`);
  const blocked = await form(user.password);
  assert.equal(blocked.status, 429);
  assert.match(await blocked.text(), /Too many failed attempts: try again in \d+ minutes/);
  assert.equal(blocked.headers.get('set-cookie'), null);
  const api = await fetch(`${srv.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user) });
  assert.equal(api.status, 429);
  assert.match((await api.json()).error, /Too many failed attempts/);
  // others are not blocked
  assert.ok(await token(srv.url, demo.users.finance));
});

test('search treats % _ and \\ as text; a bad ?quarter= is a 400 that says why', async () => {
  cli(demo.db, 'agency', 'add', '--code', 'U_1', '--name', '100% Under_score \\ District', '--kind', 'city', '--state', 'KS');
  const codes = async (q) => csvRows(await (await get(`/agencies.csv?q=${encodeURIComponent(q)}`, 'admin')).text()).map((r) => r[0]);
  assert.deepEqual(await codes('_'), ['U_1']);
  assert.deepEqual(await codes('%'), ['U_1']);
  assert.deepEqual(await codes('\\'), ['U_1']);
  assert.deepEqual(await codes('0% U'), ['U_1']);
  assert.ok((await codes('USD')).length > 200);
  const page = await (await get('/agencies?q=_', 'admin')).text();
  assert.equal((page.match(/<tr class="row">/g) || []).length, 1);
  assert.match(page, /href="\/agencies.csv\?q=_"/);
  for (const p of ['/purchases?quarter=2026-Q9', '/purchases.csv?quarter=nonsense']) {
    const res = await get(p, 'admin');
    assert.equal(res.status, 400, p);
    assert.match(await res.text(), /Quarter filter is not right: quarter (&quot;|")(2026-Q9|nonsense)/, p);
  }
  // the filter form's empty boxes filter nothing
  const all = await (await get('/purchases?contract=&agency=&quarter=&po=&invoice=', 'admin')).text();
  assert.equal((all.match(/action="\/purchases\/\d+\/reverse"/g) || []).length, 50);
  const q = await (await get(`/purchases?contract=${C}&quarter=2026-Q3&po=${encodeURIComponent('PO&1 #2')}`, 'admin')).text();
  assert.match(q, /href="\/purchases.csv\?contract=KS-FURN-2025&amp;quarter=2026-Q3&amp;po=PO%261%20%232"/);
});

test('CSV downloads: the agency purchases hold only that agency, a member only its own', async () => {
  const own = demo.users.member.bound;
  const m = await session(srv.url, demo.users.member);
  const mget = (p) => fetch(srv.url + p, { headers: { cookie: m.cookie }, redirect: 'manual' });
  const res = await mget(`/agencies/${own}/purchases.csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), new RegExp(`${own}-purchases.csv`));
  const text = await res.text();
  assert.match(text, /^id,contract,agency,invoice_date,po_number,invoice_number,line,description,list_amount,invoiced_amount,savings\r\n/);
  const rows = csvRows(text);
  const report = cliJson(demo.db, 'report', 'agency', '--agency', own);
  assert.equal(rows.length, report.contracts.reduce((n, c) => n + c.lines.length, 0));
  assert.ok(rows.length > 100);
  assert.deepEqual([...new Set(rows.map((r) => r[2]))], [own]);
  assert.equal((await mget('/agencies/USD259/purchases.csv')).status, 404);
  assert.equal((await mget(`/agencies/${own}/purchases.csv?contract=NO-SUCH`)).status, 404);
  // the ledger CSV of a member is its own too, whatever ?agency= says
  const ledger = csvRows(await (await mget('/purchases.csv?agency=USD259')).text());
  assert.ok(ledger.length > 100);
  assert.deepEqual([...new Set(ledger.map((r) => r[2]))], [own]);
  // staff: one contract of USD259
  const one = csvRows(await (await get(`/agencies/USD259/purchases.csv?contract=${C}`, 'admin')).text());
  assert.ok(one.length > 50);
  assert.ok(one.every((r) => r[1] === C && r[2] === 'USD259'));
});

test('CSV downloads: remittances, missing reports and the outbox', async () => {
  const v = await session(srv.url, demo.users.vendor);
  const rem = await (await fetch(`${srv.url}/contracts/${C}/remittances.csv`, { headers: { cookie: v.cookie } })).text();
  assert.match(rem, /^quarter,amount,received,reference\r\n/);
  assert.ok(csvRows(rem).some((r) => r[3] === 'ACH-API-1' && r[0] === '2026-Q3'), rem);
  const vendorPage = await (await fetch(`${srv.url}/`, { headers: { cookie: v.cookie } })).text();
  assert.match(vendorPage, new RegExp(`href="/contracts/${C}/remittances.csv"`));
  const missing = csvRows(await (await get('/missing-reports.csv', 'finance')).text());
  assert.equal(missing.length, cliJson(demo.db, 'report', 'revenue').missing_reports.length);
  assert.match(await (await get('/outbox.csv', 'finance')).text(), /^id,kind,recipient,contract,period,state,/);
});

// A multipart upload to /imports in a cookie session.
const upload = (s, fields, file) => {
  const fd = new FormData();
  fd.append('csrf', s.csrf);
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append('file', new Blob([file], { type: 'text/csv' }), 'q4.csv');
  return fetch(`${srv.url}/imports`, { method: 'POST', headers: { cookie: s.cookie }, body: fd, redirect: 'manual' });
};

test('a checked upload imports only as it was checked: same user, contract and quarter', async () => {
  const a = await session(srv.url, demo.users.admin);
  const checked = await upload(a, { contract: C, period: '2026-Q4', encoding: '', mode: 'check' },
    csvHeader + 'USD259,PO-K1,INV-K1,2026-10-09,500.00,200.00\n');
  assert.equal(checked.status, 200);
  const id = (await checked.text()).match(/name="upload_id" value="([0-9a-f]{32})"/)[1];
  const other = 'KS-OFFC-2025';
  const batches = async (n) => csvRows(await (await get(`/imports.csv?contract=${n}`, 'admin')).text()).length;
  const before = await batches(other);
  for (const fields of [{ contract: other, period: '2026-Q4' }, { contract: C, period: '2026-Q3' },
    { contract: C, period: '2026-Q4', skip_invalid: '1' }]) {
    const res = await upload(a, { upload_id: id, encoding: '', mode: 'import', ...fields });
    assert.equal(res.status, 409, JSON.stringify(fields));
    assert.match(await res.text(), /checked for contract KS-FURN-2025, quarter 2026-Q4/);
  }
  assert.equal(await batches(other), before);
  // someone else cannot import it
  const v = await session(srv.url, demo.users.vendor);
  const foreign = await upload(v, { upload_id: id, contract: C, period: '2026-Q4', encoding: '', mode: 'import' });
  assert.equal(foreign.status, 409);
  assert.match(await foreign.text(), /checked by someone else/);
  const ok = await upload(a, { upload_id: id, contract: C, period: '2026-Q4', encoding: '', mode: 'import' });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /Imported as batch \d+/);
  assert.equal((await upload(a, { upload_id: id, contract: C, period: '2026-Q4', encoding: '', mode: 'import' })).status, 410);
  // a vendor's checked file with errors: its rows to fix as CSV, for its uploader only
  const bad = await upload(v, { contract: C, period: '2026-Q4', encoding: '', mode: 'check' },
    csvHeader + 'USD259,PO-K2,INV-K2,2026-10-09,500.00,200.00\nUSD259,PO-K3,INV-K3,2026-02-30,5.00,2.00\nUSD999,PO-K4,INV-K4,2026-10-09,5.00,2.00\n');
  assert.equal(bad.status, 422);
  const link = (await bad.text()).match(/href="(\/imports\/[0-9a-f]{32}\/errors.csv)"/)[1];
  const errs = await fetch(srv.url + link, { headers: { cookie: v.cookie } });
  assert.equal(errs.status, 200);
  const rows = csvRows(await errs.text());
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['2', 'invoice_date'], ['3', 'agency_code']]);
  assert.equal((await fetch(srv.url + link, { headers: { cookie: a.cookie } })).status, 404);
});

// The message a form's answer shows: the page it redirects to (the message
// is kept for the session), or the page drawn again with it.
async function shown(s, res) {
  const page = res.status === 303
    ? await (await fetch(new URL(res.headers.get('location'), srv.url), { headers: { cookie: s.cookie } })).text()
    : await res.text();
  return (page.match(/<p class="(?:error|notice)" role="(?:alert|status)"[^>]*>[\s\S]*?<\/p>/) || [''])[0];
}

test('web messages name form fields, not command-line flags', async () => {
  const a = await session(srv.url, demo.users.admin);
  const line = (await (await fetch(`${srv.url}/purchases`, { headers: { cookie: a.cookie } })).text())
    .match(/action="\/purchases\/(\d+)\/reverse"/)[1];
  for (const [path, fields] of [[`/purchases/${line}/reverse`, { reason: '' }],
    ['/periods', { quarter: '2026-Q1', action: 'reopen', reason: '' }],
    ['/users', { email: 'm2@usd259.ks.example', role: 'member', password: 'long-enough-1', bound: '' }]]) {
    const notice = await shown(a, await post(a, path, fields));
    assert.match(notice, /Error:<\/strong> (Not |User not added)/, path);
    assert.doesNotMatch(notice, /--[a-z]/, `${path}: ${notice}`);
  }
  const reopen = await shown(a, await post(a, '/periods', { quarter: '2026-Q1', action: 'reopen' }));
  assert.match(reopen, /Reason field/);
  const zero = await fetch(`${srv.url}/api/v1/contracts/${C}/imports`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.vendor}`, 'content-type': 'text/csv' }, body: csvHeader });
  assert.equal(zero.status, 400);
  const msg = (await zero.json()).error;
  assert.match(msg, /\?period=/);
  assert.doesNotMatch(msg, /--period/);
});

test('no page passes 300 KB; the agency page shows its purchases 50 at a time', async () => {
  const a = await session(srv.url, demo.users.admin);
  const m = await session(srv.url, demo.users.member);
  const html = pages.filter((p) => !/\.(csv|pdf)|statement/.test(p)).concat(['/agencies/USD229', '/agencies/USD512']);
  for (const [s, list] of [[a, html], [m, ['/', `/agencies/${demo.users.member.bound}`, '/purchases']]]) {
    for (const p of list) {
      const res = await fetch(srv.url + p, { headers: { cookie: s.cookie } });
      assert.equal(res.status, 200, p);
      const size = (await res.arrayBuffer()).byteLength;
      assert.ok(size < 300000, `${p} is ${size} bytes`);
    }
  }
  const page = async (n) => (await (await fetch(`${srv.url}/agencies/USD259?page=${n}`, { headers: { cookie: a.cookie } })).text());
  const first = await page(1), second = await page(2);
  const rows = (h) => (h.split('id="agency-purchases"')[1].split('</table>')[0].match(/<tr><td>/g) || []).length;
  assert.equal(rows(first), 50);
  assert.equal(rows(second), 50);
  assert.notEqual(first, second);
  assert.match(first, /href="\?&page=2">next</);
  assert.match(first, /href="\/agencies\/USD259\/purchases.csv"/);
  const total = csvRows(await (await fetch(`${srv.url}/agencies/USD259/purchases.csv`, { headers: { cookie: a.cookie } })).text()).length;
  assert.ok(total > 1000, String(total));
  const last = await page(Math.ceil(total / 50));
  assert.equal(rows(last), total % 50 || 50);
  assert.doesNotMatch(last, />next</);
});

test('statement downloads are named as `coopledger statements` names the files', async () => {
  const names = {
    [`/contracts/${C}/statements/USD233?period=2026-Q3`]: 'member-KS-FURN-2025-2026-Q3-USD233.pdf',
    [`/contracts/${C}/fee-statement?period=2026-Q3`]: 'vendor-KS-FURN-2025-2026-Q3-V-PRAIRIE.pdf',
  };
  for (const [path, name] of Object.entries(names)) {
    const res = await get(path, 'finance');
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'application/pdf', path);
    assert.match(res.headers.get('content-disposition') || '', new RegExp(`filename="${name}"`), path);
    assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString(), '%PDF-', path);
  }
});

test('the contract page states the late fee in dollars', async () => {
  const page = await (await get(`/contracts/${C}`, 'admin')).text();
  assert.match(page, /A late fee of the greater of \$200\.00 or 25% of the amount unpaid/);
});

test('a member\'s statement link for an ended contract names its last quarter with purchases', async () => {
  const page = await (await get('/', 'member')).text();
  assert.match(page, /href="\/contracts\/KS-FURN-2022\/statements\/USD233\?period=2025-Q2"/);
  assert.match(page, /href="\/contracts\/KS-FURN-2025\/statements\/USD233\?period=2026-Q3"/);
});

// Last: it queues notices that the outbox test above does not expect.
test('only an admin invites or deactivates users: finance, member and vendor get 404, nothing changes', async () => {
  const count = async () => (await (await fetch(`${srv.url}/users.csv`, {
    headers: { cookie: (await session(srv.url, demo.users.admin)).cookie } })).text()).trim().split('\n').length;
  const before = await count();
  const target = (await (await fetch(`${srv.url}/users`, {
    headers: { cookie: (await session(srv.url, demo.users.admin)).cookie } })).text())
    .match(/action="\/users\/(\d+)\/deactivate"/)[1];
  for (const role of ['finance', 'member', 'vendor']) {
    const api = await fetch(`${srv.url}/api/v1/users`, { method: 'POST',
      headers: { authorization: `Bearer ${tok[role]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `x-${role}@usd259.ks.example`, role: 'admin' }) });
    assert.equal(api.status, 404, `${role} API invite`);
    const s = await session(srv.url, demo.users[role]);
    for (const [path, fields] of [['/users/invite', { email: `y-${role}@usd259.ks.example`, role: 'admin' }],
      [`/users/${target}/deactivate`, {}]]) {
      const res = await fetch(srv.url + path, { method: 'POST', redirect: 'manual',
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, csrf: s.csrf }) });
      assert.equal(res.status, 404, `${role} POST ${path}`);
    }
  }
  assert.equal(await count(), before, 'no user was added');
  assert.doesNotMatch(await (await fetch(`${srv.url}/users.csv`, {
    headers: { cookie: (await session(srv.url, demo.users.admin)).cookie } })).text(), /deactivated/);
  // the admin's API answers 201 with the user; the public routes need no sign-in
  const ok = await fetch(`${srv.url}/api/v1/users`, { method: 'POST',
    headers: { authorization: `Bearer ${tok.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'invited@usd259.ks.example', role: 'member', agency: 'USD233' }) });
  assert.equal(ok.status, 201);
  assert.deepEqual(await ok.json(), { email: 'invited@usd259.ks.example', role: 'member', agency: 'USD233',
    state: 'invited', invitation_queued: true });
  const reset = await fetch(`${srv.url}/api/v1/password-resets`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'invited@usd259.ks.example' }) });
  assert.equal(reset.status, 202);
  const bad = await fetch(`${srv.url}/api/v1/password`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(43), password: 'long enough 1' }) });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /not one we sent/);
});
