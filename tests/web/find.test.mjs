// Finding things: the purchase filters (case, parts, date range, totals of
// every filtered line, page numbers, filters kept after a reversal), the
// agency search over the whole list, and the sales-report page's columns,
// template and error rows with "Import the good rows".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { demoDatabase, startServer, session } from './lib.mjs';

let demo, srv, admin;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  admin = await session(srv.url, demo.users.admin);
});
after(async () => { await srv?.stop(); });

const sql = (q) => JSON.parse(execFileSync('sqlite3', ['-json', demo.db, q], { encoding: 'utf8' }) || '[]');
const get = (path, s = admin) => fetch(`${srv.url}${path}`, { headers: { cookie: s.cookie }, redirect: 'manual' });
const page = async (path) => { const r = await get(path); assert.equal(r.status, 200, path); return r.text(); };
const lineIds = (html) => [...html.matchAll(/<tr><td class="num">(\d+)<\/td><td class="nowrap">/g)].map((m) => Number(m[1]));
const money = (cents) => (cents < 0 ? '-' : '') + '$' + (Math.abs(cents) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

test('purchase filters ignore case and match parts of PO, invoice and agency', async () => {
  const [p] = sql(`SELECT p.id, p.po_number, p.invoice_number, a.code, a.name FROM purchase p
    JOIN agency a ON a.id = p.agency_id WHERE length(p.po_number) > 4 ORDER BY p.id DESC LIMIT 1`);
  const part = (s) => s.slice(1, -1).toLowerCase();
  for (const q of [`po=${encodeURIComponent(part(p.po_number))}`,
    `invoice=${encodeURIComponent(part(p.invoice_number))}`,
    `agency=${encodeURIComponent(p.code.toLowerCase())}&po=${encodeURIComponent(p.po_number.toLowerCase())}`,
    `agency=${encodeURIComponent(part(p.name))}&invoice=${encodeURIComponent(p.invoice_number)}`]) {
    const html = await page(`/purchases?${q}`);
    assert.ok(lineIds(html).includes(p.id) || html.includes(`>${p.id}</td>`), `${q} finds line ${p.id}`);
  }
});

test('a date range narrows the lines; a bad date is a 400 naming the field; no match says so', async () => {
  const day = sql(`SELECT invoice_date AS d FROM purchase GROUP BY invoice_date
    HAVING count(*) BETWEEN 3 AND 20 ORDER BY invoice_date DESC LIMIT 2`);
  const from = day[1].d, to = day[0].d;
  const want = sql(`SELECT count(*) AS n FROM purchase WHERE invoice_date BETWEEN '${from}' AND '${to}'`)[0].n;
  assert.ok(want > 0 && want <= 50, `lines ${want}`);
  const html = await page(`/purchases?from=${from}&to=${to}`);
  assert.equal(lineIds(html).length, want);
  const bad = await get('/purchases?from=2026-13-01');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /From date/);
  const none = await page('/purchases?po=no-such-po-zz');
  assert.match(none, /No purchases match these filters/);
  assert.equal(lineIds(none).length, 0);
});

test('the totals are of every filtered line, not just the page', async () => {
  const code = sql(`SELECT a.code FROM purchase p JOIN agency a ON a.id = p.agency_id
    GROUP BY a.code HAVING count(*) > 50 LIMIT 1`)[0].code;
  const t = sql(`SELECT count(*) AS n, sum(list_amount) AS l, sum(invoiced_amount) AS i FROM purchase p
    JOIN agency a ON a.id = p.agency_id WHERE a.code = '${code}'`)[0];
  const html = await page(`/purchases?agency=${code}`);
  assert.equal(lineIds(html).length, 50);
  const m = html.match(/id="totals"[\s\S]*?<\/p>/);
  assert.ok(m, 'a totals line');
  assert.ok(m[0].includes(money(t.l)), `${m[0]} has list ${money(t.l)}`);
  assert.ok(m[0].includes(money(t.i)), `${m[0]} has invoiced ${money(t.i)}`);
  assert.ok(m[0].includes(`${t.n} lines`), `${m[0]} counts ${t.n}`);
  // page numbers keep the filter: 1 2 … last, the current one marked
  const last = Math.ceil(t.n / 50);
  assert.match(html, /<a [^>]*aria-current="page"[^>]*>1<\/a>/);
  assert.ok(html.includes(`href="?agency=${code}&amp;page=${last}"`) || html.includes(`href="?agency=${code}&page=${last}"`),
    `link to page ${last}`);
  const p2 = await page(`/purchases?agency=${code}&page=2`);
  assert.match(p2, /<a [^>]*aria-current="page"[^>]*>2<\/a>/);
});

test('the filters survive a reversal', async () => {
  const [p] = sql(`SELECT p.id, p.po_number FROM live_purchase p ORDER BY p.id DESC LIMIT 1`);
  const q = `po=${encodeURIComponent(p.po_number.toLowerCase())}`;
  const html = await page(`/purchases?${q}`);
  const back = html.match(new RegExp(`action="/purchases/${p.id}/reverse"[\\s\\S]*?name="back" value="([^"]*)"`));
  assert.ok(back, 'the reversal form carries the query');
  const res = await fetch(`${srv.url}/purchases/${p.id}/reverse`, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: admin.csrf, reason: 'test', back: back[1].replaceAll('&amp;', '&') }),
  });
  assert.equal(res.status, 303);
  const loc = res.headers.get('location');
  assert.match(loc, new RegExp(`^/purchases\\?${q}&`), loc);
  assert.doesNotMatch(loc, /notice=/, 'the message is not carried in the URL');
  const after = await page(loc);
  assert.match(after, new RegExp(`Line ${p.id} reversed`), 'the filtered page says what was done');
});

test('the agency search finds an agency that is not on page 1', async () => {
  assert.ok(sql('SELECT count(*) AS n FROM agency')[0].n > 50);
  const first = await page('/agencies');
  const last = sql('SELECT code, name FROM agency ORDER BY code DESC LIMIT 1')[0];
  assert.ok(!first.includes(`>${last.code}</a>`), 'the last agency is not on page 1');
  const found = await page(`/agencies?q=${encodeURIComponent(last.name.slice(2, -1).toLowerCase())}`);
  assert.ok(found.includes(`>${last.code}</a>`), 'search finds it');
  assert.match(first, /aria-current="page"[^>]*>1<\/a>/);
});

const C = 'KS-FURN-2025';
const header = 'agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount\n';

test('the sales-report page lists the columns and offers a CSV template', async () => {
  const html = await page(`/imports?contract=${C}`);
  for (const c of ['agency_code', 'po_number', 'invoice_number', 'invoice_date', 'list_amount',
    'invoiced_amount', 'description', 'quantity'])
    assert.ok(html.includes(`<code>${c}</code>`), c);
  assert.match(html, /href="\/imports\/template.csv"/);
  const t = await get('/imports/template.csv');
  assert.equal(t.status, 200);
  assert.match(t.headers.get('content-type'), /text\/csv/);
  assert.match(await t.text(), /^agency_code,po_number,invoice_number,invoice_date,list_amount,invoiced_amount/);
});

test('an upload with one bad row shows its PO, invoice and line, and the good rows import', async () => {
  const agency = sql(`SELECT a.code FROM participant p JOIN agency a ON a.id = p.agency_id
    JOIN contract c ON c.id = p.contract_id WHERE c.number = '${C}' AND p.joined <= '2026-07-01' LIMIT 1`)[0].code;
  const file = header + `${agency},PO-G1,INV-G1,2026-10-09,500.00,400.00\n` +
    `${agency},"PO-BAD\n2",INV-BAD-7,2026-13-45,10.00,9.00\n` +
    `${agency},PO-G2,INV-G2,2026-10-10,300.00,250.00\n`;
  const fd = new FormData();
  fd.append('csrf', admin.csrf);
  fd.append('contract', C); fd.append('period', '2026-Q4'); fd.append('encoding', ''); fd.append('mode', 'check');
  fd.append('file', new Blob([file], { type: 'text/csv' }), 'good-and-bad.csv');
  const res = await fetch(`${srv.url}/imports`, { method: 'POST', headers: { cookie: admin.cookie }, body: fd });
  const html = await res.text();
  assert.equal(res.status, 422, html); // refused as it stands: nothing written
  const row = html.match(/<table id="errors">[\s\S]*?<\/table>/)[0];
  assert.match(row, /PO-BAD/);
  assert.match(row, /INV-BAD-7/);
  assert.match(row, /<td class="num">2<\/td><td class="num">3<\/td>/, 'data row 2 starts on line 3');
  const link = html.match(/href="(\/imports\/[0-9a-f]{32}\/errors.csv)"/)[1];
  const csv = await (await get(link)).text();
  assert.match(csv.split(/\r?\n/)[0], /^row,column,message,line,po,invoice$/);
  assert.ok(csv.includes(',3,"PO-BAD\n2",INV-BAD-7') || csv.includes(',3,"PO-BAD\r\n2",INV-BAD-7'), csv);
  const form = html.match(/<form[^>]*>(?:(?!<\/form>)[\s\S])*Import the good rows[\s\S]*?<\/form>/);
  assert.ok(form, `an "Import the good rows" form: ${html}`);
  const body = new FormData();
  for (const m of form[0].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) body.append(m[1], m[2].replaceAll('&amp;', '&'));
  const b = form[0].match(/<button type="submit" name="([^"]+)" value="([^"]+)">Import the good rows/);
  body.append(b[1], b[2]);
  const before = sql("SELECT count(*) AS n FROM purchase WHERE po_number LIKE 'PO-G%'")[0].n;
  const done = await fetch(`${srv.url}/imports`, { method: 'POST', headers: { cookie: admin.cookie }, body });
  const text = await done.text();
  assert.equal(done.status, 200, text);
  assert.match(text, /Imported as batch/);
  assert.equal(sql("SELECT count(*) AS n FROM purchase WHERE po_number LIKE 'PO-G%'")[0].n, before + 2);
});

test('the contract chooser lists active contracts first and shows the chosen one\'s batches', async () => {
  const status = Object.fromEntries(sql('SELECT number, status FROM contract').map((r) => [r.number, r.status]));
  const finance = await session(srv.url, demo.users.finance);
  for (const s of [admin, finance]) {
    const html = await (await get('/imports', s)).text();
    const chooser = html.match(/id="choose"[\s\S]*?<\/(?:form|nav)>/);
    assert.ok(chooser, 'a chooser that shows batches');
    const opts = [...chooser[0].matchAll(/(?:option value="|href="\/imports\?contract=)([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(new Set(opts), new Set(Object.keys(status)));
    const firstInactive = opts.findIndex((n) => status[n] !== 'active');
    assert.ok(firstInactive > 0 && opts.slice(firstInactive).every((n) => status[n] !== 'active'), opts.join());
    const other = opts[opts.length - 1];
    const chosen = await (await get(`/imports?contract=${encodeURIComponent(other)}`, s)).text();
    assert.match(chosen, new RegExp(`Batches of ${other}`));
  }
});
