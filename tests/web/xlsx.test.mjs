// Every CSV download has an Excel twin: NAME.xlsx beside NAME.csv on the
// page, the same rows read back by openpyxl (not coopledger's code), money
// as numbers in a currency format, dates as dates, the header bold and
// frozen; the same roles may fetch it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoDatabase, startServer, session, cliJson, root } from './lib.mjs';

const C = 'KS-FURN-2025';
const PAGES = ['/', '/contracts', `/contracts/${C}`, '/agencies', '/agencies/USD233', '/audit', '/purchases',
  `/imports?contract=${C}`, '/outbox', `/rebates?contract=${C}`, '/reconciliation', '/tokens', '/users', '/vendors',
  `/vendors/V-PRAIRIE`];
const MONEY = '"$"#,##0.00;-"$"#,##0.00';
let demo, srv, dir;

before(async () => {
  demo = demoDatabase();
  srv = await startServer(demo.db);
  dir = mkdtempSync(join(tmpdir(), 'coopledger-xlsx-'));
});

after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// RFC 4180 as csv_row() writes it: quoted fields, "" for a quote, CRLF.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r') continue;
    else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function readBook(bytes) {
  const file = join(dir, 'book.xlsx');
  writeFileSync(file, bytes);
  return JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'tests', 'web', 'read_xlsx.py'), file],
    { encoding: 'utf8', maxBuffer: 1 << 30 }));
}

// The workbook's cell as the CSV wrote it: money with its cents, dates
// as YYYY-MM-DD, a guarded formula-like text without its quote.
function asCsvText(value, csvText) {
  if (value === null) return '';
  if (typeof value === 'number') return /^-?\d+\.\d\d$/.test(csvText) ? value.toFixed(2) : String(value);
  return /^'[=+\-@\t\r]/.test(csvText) ? `'${value}` : String(value);
}

const get = (s, path) => fetch(srv.url + path, { headers: s ? { cookie: s.cookie } : {}, redirect: 'manual' });

test('every CSV link on the admin\'s pages has an Excel twin with the same rows, typed', async () => {
  const s = await session(srv.url, demo.users.admin);
  const links = new Set();
  for (const p of PAGES) {
    const html = await (await get(s, p)).text();
    for (const m of html.matchAll(/href="([^"]+\.xlsx[^"]*)"/g)) {
      const xlsx = m[1].replaceAll('&amp;', '&');
      assert.ok(html.includes(`href="${m[1].replace('.xlsx', '.csv')}"`), `${p}: ${xlsx} sits beside its CSV`);
      links.add(xlsx);
    }
  }
  assert.ok(links.size >= 15, `${links.size} Excel links: ${[...links].join(' ')}`);
  let money = 0, dates = 0;
  for (const link of links) {
    const res = await get(s, link);
    assert.equal(res.status, 200, link);
    assert.equal(res.headers.get('content-type'),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', link);
    assert.match(res.headers.get('content-disposition'), /^attachment; filename="[^"]+\.xlsx"$/, link);
    const book = readBook(Buffer.from(await res.arrayBuffer()));
    const csv = parseCsv(await (await get(s, link.replace('.xlsx', '.csv'))).text());
    assert.equal(book.sheets, 1, link);
    assert.equal(book.freeze, 'A2', `${link}: the header row is frozen`);
    assert.ok(book.header_bold, `${link}: the header is bold`);
    assert.deepEqual(book.rows[0], csv[0], `${link}: the header`);
    assert.equal(book.rows.length, csv.length, `${link}: as many rows as the CSV`);
    for (let i = 1; i < csv.length; i++) {
      for (let j = 0; j < csv[i].length; j++) {
        const v = book.rows[i][j] ?? null, t = csv[i][j];
        assert.equal(asCsvText(v, t), t, `${link} row ${i} column ${csv[0][j]}`);
        if (/^-?\d+\.\d\d$/.test(t)) {
          assert.equal(typeof v, 'number', `${link} row ${i} ${csv[0][j]}: money is a number`);
          assert.equal(book.formats[i][j], MONEY, `${link} row ${i} ${csv[0][j]}: in a currency format`);
          money++;
        }
        if (/^\d{4}-\d\d-\d\d$/.test(t)) {
          assert.equal(book.formats[i][j], 'yyyy-mm-dd', `${link} row ${i} ${csv[0][j]}: a date cell`);
          dates++;
        }
        if (/(^|_)(po|invoice|reference|code)(_|$)|number$/.test(csv[0][j]) && t !== '') {
          assert.equal(typeof v, 'string', `${link} row ${i} ${csv[0][j]}: an identifier stays text`);
        }
      }
    }
  }
  assert.ok(money > 100 && dates > 100, `money cells ${money}, date cells ${dates}`);
});

test('the fee quarters as a workbook: the figures of the CSV, as numbers', async () => {
  const s = await session(srv.url, demo.users.vendor);
  const book = readBook(Buffer.from(await (await get(s, `/contracts/${C}/fees.xlsx`)).arrayBuffer()));
  const q3 = book.rows.find((r) => r[0] === '2025-Q3');
  // the demo's 2025-Q3, as `coopledger report fees` prints it
  const fees = cliJson(demo.db, 'report', 'fees', '--contract', C, '--period', '2025-Q3').quarters[0];
  assert.deepEqual(q3.slice(0, 3), ['2025-Q3', Number(fees.net_sales), Number(fees.fee)]);
  assert.equal(q3[6], fees.due_date);
});

test('the twins keep their CSV\'s roles; only a CSV download has a twin', async () => {
  const member = await session(srv.url, demo.users.member);
  for (const p of ['/users.xlsx', '/reconciliation.xlsx', '/audit.xlsx', `/contracts/${C}/fees.xlsx`]) {
    assert.equal((await get(member, p)).status, 404, `member ${p}`);
  }
  assert.equal((await get(member, '/contracts.xlsx')).status, 200);
  const anon = await get(null, '/contracts.xlsx');
  assert.equal(anon.status, 303);
  assert.equal(anon.headers.get('location'), '/login?next=/contracts.xlsx');
  const admin = await session(srv.url, demo.users.admin);
  for (const p of [`/contracts/${C}.xlsx`, '/nothing.xlsx']) {
    assert.equal((await get(admin, p)).status, 404, p);
  }
});
