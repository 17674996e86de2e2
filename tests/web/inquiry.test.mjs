// Completeness inquiries on the web (DOMAIN.md 4.7): staff send one from
// the Completeness page's form (CSRF, a message kept on the server, never
// in the URL) and through the API (201, 409 the same day, 400, 404); the
// vendor sees its inquiries on its portal and downloads the CSV as sent;
// nobody else gets it; staff see them on the vendor's record page.  The
// vendor's portal and the vendor's record page with inquiries pass axe-core
// (WCAG 2.1 AA) at 1280 and 390 px.
//
// The demo's KS-FURN-2025 (2025-07-01 .. 2028-06-30, vendor V-PRAIRIE,
// fee 2% below USD 30,000,000 a contract year, due 45 days after a
// quarter) gets these register POs, none of them in the ledger; as of
// 2026-11-25 (worked by hand):
//   USD259 PO-INQ-1 2026-02-10 1234.56  unreported (pending ended with
//          2026-Q2's due date 2026-08-14); fee at risk round(123456 x 2%)
//          = 2469 cents = 24.69
//   USD233 PO-INQ-2 2026-03-05  500.00  unreported; fee at risk 10.00
//   USD259 PO-INQ-3 2026-05-15   99.99  unreported (2026-Q3's due date
//          2026-11-14 has passed); fee at risk round(9999 x 2%) = 2.00
//   USD233 PO-INQ-4 2026-10-20  300.00  pending until 2027-02-14
// 2026-Q1: PO-INQ-1 and -2, 2 POs, gap 1734.56, fee at risk 34.69.
// 2026-Q2: the three, 3 POs, gap 1834.55, fee at risk 36.69.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { demoDatabase, startServer, session, token, cli, bin, launchChromium } from './lib.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const C = 'KS-FURN-2025';
let demo, srv, browser;
const s = {};
const other = { email: 'ar@sunflower.example', password: 'sunflower-pass-1234' };

before(async () => {
  demo = demoDatabase();
  const file = join(demo.dir, 'register.csv');
  writeFileSync(file, 'agency_code,po_number,po_date,amount\n' +
    'USD259,PO-INQ-1,2026-02-10,1234.56\nUSD233,PO-INQ-2,2026-03-05,500.00\n' +
    'USD259,PO-INQ-3,2026-05-15,99.99\nUSD233,PO-INQ-4,2026-10-20,300.00\n');
  cli(demo.db, 'register', 'import', '--contract', C, file);
  execFileSync(bin, ['--db', demo.db, 'user', 'add', '--email', other.email, '--role', 'vendor', '--vendor', 'V-SUNFLOWER'],
    { env: { ...process.env, COOPLEDGER_PASSWORD: other.password } });
  srv = await startServer(demo.db);
  for (const role of ['admin', 'finance', 'member', 'vendor']) s[role] = await session(srv.url, demo.users[role]);
  s.other = await session(srv.url, other);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const sql = (q) => execFileSync('sqlite3', [demo.db, q], { encoding: 'utf8' }).trim();
const text = (html) => html.replace(/<[^>]*>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

async function form(who, path, fields) {
  return fetch(srv.url + path, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: s[who].cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: s[who].csrf, ...fields }),
  });
}

async function api(tok, path, body) {
  const res = await fetch(srv.url + path, {
    method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const get = (who, path) => fetch(srv.url + path, { headers: { cookie: s[who].cookie } });

test('the send button: redirect back to the Completeness page, the message kept on the server', async () => {
  const res = await form('admin', `/contracts/${C}/inquiries`, { period: '2026-Q1' });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/contracts/${C}/completeness`);
  assert.equal(sql('SELECT quarter, sent_on, po_count, gap, fee_at_risk, notices FROM inquiry'),
    '2026-Q1|2026-11-25|2|173456|3469|1');
  assert.equal(sql("SELECT group_concat(po_number, ' ') FROM (SELECT po_number FROM inquiry_po ORDER BY seq)"),
    'PO-INQ-1 PO-INQ-2');
  assert.equal(sql("SELECT recipient, period FROM outbox WHERE kind = 'completeness_inquiry'"),
    'reports@prairie-furniture.example|2026-Q1, 2026-11-25');
  assert.equal(sql("SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1"),
    `web:${demo.users.admin.email}|inquiry.send`);
  const page = await get('admin', `/contracts/${C}/completeness`);
  if (page.status === 200) {
    const t = text(await page.text());
    assert.ok(t.includes('Inquiry sent to V-PRAIRIE about 2 purchase orders dated 2026-Q1 or earlier: ' +
      '$1,734.56 missing from the reports, fee at risk $34.69.'), t);
  }
  // the same quarter again today: refused, the refusal shown the same way
  const again = await form('admin', `/contracts/${C}/inquiries`, { period: '2026-Q1' });
  assert.equal(again.status, 303);
  assert.equal(again.headers.get('location'), `/contracts/${C}/completeness`);
  assert.equal(sql('SELECT count(*) FROM inquiry'), '1');
  const refused = await get('admin', `/contracts/${C}/completeness`);
  if (refused.status === 200) {
    assert.ok(text(await refused.text()).includes(
      'Inquiry not sent: the 2026-Q1 inquiry of contract KS-FURN-2025 was already sent today (2026-11-25)'));
  }
});

test('the form needs the CSRF token and a staff role', async () => {
  const res = await fetch(`${srv.url}/contracts/${C}/inquiries`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: s.admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ period: '2026-Q2' }),
  });
  assert.equal(res.status, 403);
  for (const who of ['member', 'vendor']) {
    const r = await form(who, `/contracts/${C}/inquiries`, { period: '2026-Q2' });
    assert.ok([403, 404].includes(r.status), `${who}: ${r.status}`);
  }
  assert.equal((await form('admin', '/contracts/NO-SUCH/inquiries', { period: '2026-Q2' })).status, 404);
  assert.equal(sql('SELECT count(*) FROM inquiry'), '1');
});

test('the API: 201 with the inquiry, 409 the same day, 400 and 404', async () => {
  const tok = await token(srv.url, demo.users.finance);
  const path = `/api/v1/contracts/${C}/inquiries`;
  let r = await api(tok, path, { period: '2026-Q1' });
  assert.equal(r.status, 409);
  assert.match(r.json.error, /already sent today \(2026-11-25\)/);
  r = await api(tok, path, { period: '2026-Q2' });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual(r.json, {
    id: 2, contract: C, vendor: 'V-PRAIRIE', quarter: '2026-Q2', sent_on: '2026-11-25',
    sent_by: `web:${demo.users.finance.email}`, po_count: 3, gap: '1834.55', fee_at_risk: '36.69',
    notices: 1, csv: '/inquiries/2.csv',
  });
  r = await api(tok, path, { period: '2026-Q9' });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /^period: /);
  r = await api(tok, path, { quarter: '2026-Q2' });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /"period"/);
  r = await api(tok, path, '[1,2');
  assert.equal(r.status, 400);
  r = await api(tok, path, { period: '2029-Q1' });
  assert.equal(r.status, 400);
  assert.match(r.json.error, /outside the term of contract KS-FURN-2025/);
  r = await api(tok, `/api/v1/contracts/NO-SUCH/inquiries`, { period: '2026-Q2' });
  assert.equal(r.status, 404);
  r = await api(tok, `/api/v1/contracts/KS-OFFC-2025/inquiries`, { period: '2026-Q2' });
  assert.equal(r.status, 409);
  assert.match(r.json.error, /no unreported or under-reported purchase orders dated 2026-Q2 or earlier/);
  const vt = await token(srv.url, demo.users.vendor);
  r = await api(vt, path, { period: '2026-Q3' });
  assert.ok([403, 404].includes(r.status));
  assert.equal(sql('SELECT count(*) FROM inquiry'), '2');
});

test('the vendor sees its inquiries and downloads the CSV as sent; others get 404', async () => {
  const html = await (await get('vendor', '/')).text();
  const table = html.match(/<table class="inquiries">([\s\S]*?)<\/table>/);
  assert.ok(table, 'an inquiries table on the portal');
  const rows = table[1].split('<tr data-inquiry').slice(1).map(text);
  assert.equal(rows.length, 2);
  assert.match(rows[0], /2026-11-25 2026-Q2 and earlier 3 \$1,834\.55 CSV/);
  assert.match(rows[1], /2026-11-25 2026-Q1 and earlier 2 \$1,734\.56 CSV/);
  const res = await get('vendor', '/inquiries/1.csv');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.match(res.headers.get('content-disposition'), /inquiry-KS-FURN-2025-2026-Q1\.csv/);
  assert.equal(await res.text(),
    'agency_code,agency_name,po_number,po_date,register_amount,reported_amount,status,gap,fee_at_risk\r\n' +
    'USD259,Wichita USD 259,PO-INQ-1,2026-02-10,1234.56,0.00,unreported,1234.56,24.69\r\n' +
    'USD233,Olathe USD 233,PO-INQ-2,2026-03-05,500.00,0.00,unreported,500.00,10.00\r\n');
  const book = await get('vendor', '/inquiries/1.xlsx');
  assert.equal(book.status, 200);
  assert.match(book.headers.get('content-type'), /spreadsheetml/);
  for (const who of ['member', 'other']) {
    assert.equal((await get(who, '/inquiries/1.csv')).status, 404, who);
  }
  for (const bad of ['/inquiries/99.csv', '/inquiries/x.csv', '/inquiries/1.txt', '/inquiries/-1.csv']) {
    assert.equal((await get('admin', bad)).status, 404, bad);
  }
  assert.equal((await get('finance', '/inquiries/2.csv')).status, 200);
  // the other vendor's portal shows none
  assert.ok(!(await (await get('other', '/')).text()).includes('data-inquiry'));
});

test('staff see the inquiries on the vendor record page', async () => {
  const html = await (await get('finance', '/vendors/V-PRAIRIE')).text();
  const table = html.match(/<table id="inquiries">([\s\S]*?)<\/table>/);
  assert.ok(table);
  const rows = table[1].split('<tr data-inquiry').slice(1).map(text);
  assert.equal(rows.length, 2);
  assert.ok(rows[0].includes(`2026-11-25 ${C} 2026-Q2 and earlier web:${demo.users.finance.email} 3 $1,834.55 $36.69`), rows[0]);
  assert.ok(rows[1].includes(`web:${demo.users.admin.email} 2 $1,734.56 $34.69`), rows[1]);
});

test('the pages with inquiries pass axe-core at 1280 and 390 px, without sideways scrolling', async () => {
  const problems = [];
  for (const [who, path] of [['vendor', '/'], ['admin', '/vendors/V-PRAIRIE']]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript({ content: axeSource });
    const [name, value] = s[who].cookie.split('=');
    await context.addCookies([{ name, value, url: srv.url }]);
    const page = await context.newPage();
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(srv.url + path);
      assert.ok(await page.locator('[data-inquiry]').count() > 0, `${who} ${path}: inquiries shown`);
      const found = await page.evaluate(async () => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
        return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
      });
      for (const f of found) problems.push(`${who} ${width}px ${path}: ${f}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide > width) problems.push(`${who} ${width}px ${path}: ${wide}px wide`);
    }
    // the CSV link is reached with the keyboard
    await page.goto(srv.url + path);
    const link = page.locator('a[href="/inquiries/1.csv"]');
    await link.focus();
    assert.equal(await link.evaluate((a) => a === document.activeElement), true);
    await context.close();
  }
  assert.deepEqual(problems, []);
});
