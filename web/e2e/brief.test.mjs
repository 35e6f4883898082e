// The printable brief at /brief/<id> in headless Chromium against the real binary: printed
// to PDF (A4) it is one page, it cites every source the brief query cites (footnotes in
// the page, link annotations in the PDF), it makes no external request and runs no
// script; a PNG of each is saved for review under test-output/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchChromium, outDir } from './lib.mjs';

let stop; let browser; let base;

before(async () => {
  ({ base, stop } = await startServer('brief', ['-synthetic-seed', '0', '-warm-views=false']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  stop?.();
});

const briefQuery = `query($p: ID!, $y: Int) { brief(province: $p, year: $y) { year province { id name }
  sources { number source { id title issuer date url } }
  sections { items { metric { id better } row { targetStatus targetConsidered { applies } } } } } }`;

async function brief(province, year) {
  const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: briefQuery, variables: { p: province, y: year } }) });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data.brief;
}

// Pages of a PDF: the page objects (/Type /Page, not /Pages) and the page tree's /Count.
function pdfPages(buf) {
  const s = buf.toString('latin1');
  const objects = (s.match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
  const counts = [...s.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] || m[2]));
  return { objects, count: counts.length ? Math.max(...counts) : objects };
}

const seen = { unranked: 0, targetNote: 0, documents: 0 };

// Quảng Ngãi on VN34 (the unit with the most items: its own figures and its predecessors'),
// Đà Nẵng on VN34 (the most footnotes) and Hồ Chí Minh City on VN63, in both languages.
for (const [id, year] of [['VN34-51', 2023], ['VN34-48', undefined], ['VN63-79', undefined]]) {
  for (const lang of ['vi', 'en']) {
    test(`brief ${id} (${lang}) prints on one A4 page and cites every source`, async () => {
      const b = await brief(id, year);
      const items = b.sections.reduce((n, s) => n + s.items.length, 0);
      assert.ok(items > 0 && b.sources.length > 0, `${id}: ${items} items, ${b.sources.length} sources`);
      const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
      const problems = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push(`external request ${r.url()}`); });
      const resp = await page.goto(`${base}/brief/${id}?year=${b.year}&lang=${lang}`);
      assert.equal(resp.status(), 200);
      assert.equal(await page.locator('script').count(), 0, 'no script');
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      // Every footnote of the API's answer, numbered the same, with title, issuer, date and link.
      const notes = await page.locator('.notes li').allTextContents();
      assert.equal(notes.length, b.sources.length, 'one footnote per source');
      for (const { number, source } of b.sources) {
        const li = notes[number - 1];
        assert.ok(li.startsWith(`[${number}]`), `footnote ${number}: ${li}`);
        for (const part of [source.title, source.issuer, source.date, source.url]) {
          if (part) assert.ok(li.includes(part), `footnote ${number} lacks ${part}: ${li}`);
        }
      }
      assert.equal(await page.locator('tbody tr').count(), items, 'one table row per item');
      // A metric with no better direction prints no rank; a target considered that does not
      // judge the figure's period says which periods it judges.
      // Cells by their column's header: a column no item of a section fills leaves its table.
      const L = lang === 'vi' ? { rank: 'Xếp hạng', target: 'Mục tiêu', of: 'trên' } : { rank: 'Rank', target: 'Target', of: 'of' };
      const cells = await page.$$eval('tbody tr', (trs) => trs.map((tr) => {
        const heads = [...tr.closest('table').querySelectorAll('thead th')].map((th) => th.textContent);
        return Object.fromEntries([...tr.children].map((td, i) => [heads[i], td.textContent]));
      }));
      b.sections.flatMap((s) => s.items).forEach((it, i) => {
        const rank = cells[i][L.rank];
        if (it.metric.better === 'NONE') { assert.ok(rank === undefined || rank === '—', `${it.metric.id} is not ranked: ${rank}`); seen.unranked++; }
        if (rank !== undefined && rank !== '—') {
          const m = rank.match(new RegExp(`^\\d+(–\\d+)? ${L.of} (\\d+)$`));
          assert.ok(m && Number(m[2]) >= 3, `${it.metric.id}: rank "${rank}" is not "N ${L.of} M" with M ≥ 3`);
        }
        if (it.row.targetStatus === 'NO_TARGET' && it.row.targetConsidered && it.row.targetConsidered.applies.length) {
          assert.ok(cells[i][L.target].includes(`${lang === 'vi' ? 'chỉ áp dụng cho' : 'judges only'} ${it.row.targetConsidered.applies.join(', ')}`), `${it.metric.id}: ${cells[i][L.target]}`);
          seen.targetNote++;
        }
      });
      // Every sparkline has two points or more; the footer names the time and data version.
      for (const n of await page.$$eval('svg.spark', (svgs) => svgs.map((s) => s.querySelectorAll('circle').length))) assert.ok(n >= 2, `a sparkline of ${n} point`);
      assert.match(await page.textContent('footer'), lang === 'vi' ? /\d{4}-\d\d-\d\d \d\d:\d\d UTC · phiên bản dữ liệu \d+/ : /\d{4}-\d\d-\d\d \d\d:\d\d UTC · data version \d+/);
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      const name = `brief-${id}-${lang}`;
      writeFileSync(join(outDir, `${name}.pdf`), pdf);
      await page.emulateMedia({ media: 'print' });
      await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
      if (id === 'VN34-51' && lang === 'vi') await page.screenshot({ path: join(outDir, 'brief.png'), fullPage: true });
      const { objects, count } = pdfPages(pdf);
      assert.equal(objects, 1, `${name}.pdf has ${objects} page objects`);
      assert.equal(count, 1, `${name}.pdf page tree counts ${count} pages`);
      // The links survive into the PDF as link annotations.
      const text = pdf.toString('latin1');
      // A seed document's link is the server's own /documents/<id>, which the PDF holds as
      // an absolute address and which opens the document as plain text naming its issuer.
      for (const { source } of b.sources) {
        if (source.url && /^[\x20-\x7e]+$/.test(source.url)) {
          const href = source.url.startsWith('/') ? base + source.url : source.url;
          assert.ok(text.includes(`/URI (${href.replace(/[()\\]/g, (c) => `\\${c}`)})`), `${name}.pdf has no link to ${href}`);
        }
        if (source.url && source.url.startsWith('/documents/')) {
          const doc = await fetch(base + source.url);
          assert.equal(doc.status, 200, source.url);
          assert.equal(doc.headers.get('content-type'), 'text/plain; charset=utf-8');
          assert.ok((await doc.text()).includes(source.issuer), `${source.url} does not name ${source.issuer}`);
          seen.documents++;
        }
      }
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
}

test('the briefs above had unranked metrics', () => {
  assert.ok(seen.unranked > 0, 'no brief item of a metric with no better direction');
  assert.ok(seen.documents > 0, 'no brief cited a seed document at /documents/<id> (Quảng Ngãi 2023 cites report 2336-BC/BTCTU)');
  // None of these three briefs has a target that is considered and does not apply (bundled data, 2026-12-08); the panel test in explorer.test.mjs covers targetNote.
});
