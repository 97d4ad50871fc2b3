#!/usr/bin/env node
'use strict';
/*
 * run.js - browser tests of the HTML catalog gen writes.
 *
 *   node tests/browser/run.js SITE_DIR      (from the repository root,
 *                                            after npm ci in tests/)
 *
 * Serves SITE_DIR under /registry/ on 127.0.0.1 (no directory indexes;
 * 404.html with status 404 for a missing file) and drives Debian's
 * /usr/bin/chromium through playwright-core (never a downloaded browser):
 * search and filters, following links, copying a checksum, console and
 * page errors, a breadth-first crawl of every internal link and fragment,
 * the site opened from file://, html-validate on every .html file, axe-core
 * on one page of each kind, screenshots in build/screenshots/, and a
 * registry of hostile input (tests/browser/hostile/) built with build/gen
 * into a temporary folder, which must inject nothing.  With SITE_REGISTRIES=1
 * (the site was built from registries) the frameworks, models, instance
 * types and compatibility pages are checked too: header links, the matrix
 * against the other pages, chat templates as text, axe on each; the
 * hostile registry (tests/browser/hostile/registries/) always is.  With
 * SITE_CR=1 (the repository lists container registries) the
 * container-registries page is checked too: header and home links, tag
 * buttons narrowing the cards (and ?tag=), the page without JavaScript,
 * axe; the hostile listing (a name with <script>, HTML in metadata,
 * config, the image prefix and a health reason) always is.  With
 * SITE_DEPLOY=1 (the repository has deployment records) the deployments
 * table and the configuration pages are checked too: header and home
 * links, the filters (each value of each, ?K=, reset, without
 * JavaScript), row links to the configuration pages and their links to
 * the framework, model and instance anchors, axe; the hostile records
 * (tests/browser/hostile/deployments: <script> in notes, </script> in a
 * parameter, a roleArn) always are, with their known verdicts.
 *
 * Prints "ok - NAME" or "FAIL - NAME: why" per test and, last,
 * "browser: N passed, N failed"; exits 1 when any failed, 2 on usage.
 * Environment: GEN (default build/gen), CHROMIUM (default
 * /usr/bin/chromium), BROWSER_TIMEOUT (seconds for the whole run, 110).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const REPO = path.resolve(__dirname, '..', '..');
const NODE_MODULES = path.join(REPO, 'tests', 'node_modules');
const req = (name) => require(require.resolve(name, { paths: [NODE_MODULES, __dirname] }));

const { serve } = require('./server');
const { crawl } = require('./crawl');

const PREFIX = '/registry/';
const HOSTILE_PREFIX = '/hostile/';
const GEN = process.env.GEN || path.join(REPO, 'build', 'gen');
/* The site was built from registries (tests/site.sh says so): the four
 * registry pages must be there. */
const REGISTRIES = process.env.SITE_REGISTRIES === '1';
/* The repository lists container registries: their page must be there. */
const CR = process.env.SITE_CR === '1';
/* The repository has deployment records: their pages must be there. */
const DEPLOY = process.env.SITE_DEPLOY === '1';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(REPO, 'build', 'screenshots');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

/* ---- the harness ------------------------------------------------------ */

let passed = 0, failed = 0;
const results = [];

async function test(name, fn) {
	const t0 = Date.now();
	try {
		const note = await fn();
		passed++;
		const secs = ((Date.now() - t0) / 1000).toFixed(1);
		console.log(`ok - ${name} (${note ? `${note}; ` : ''}${secs} s)`);
	} catch (e) {
		failed++;
		const msg = e && e.message ? e.message : String(e);
		console.log(`FAIL - ${name}: ${msg.split('\n').slice(0, 12).join('\n    ')}`);
	}
	results.push(name);
}

function assert(cond, msg) {
	if (!cond)
		throw new Error(msg);
}

function fail(msg) {
	throw new Error(msg);
}

function list(items, n = 8) {
	const head = items.slice(0, n).join('\n');
	return items.length > n ? `${head}\n... and ${items.length - n} more` : head;
}

/* Poll fn in the page until it returns true (or time out with msg). */
async function until(page, fn, arg, msg, timeout = 5000) {
	try {
		await page.waitForFunction(fn, arg, { timeout, polling: 50 });
	} catch (e) {
		fail(msg);
	}
}

function htmlFiles(dir) {
	const out = [];
	const walk = (d) => {
		for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, ent.name);
			if (ent.isDirectory())
				walk(p);
			else if (ent.isFile() && ent.name.endsWith('.html'))
				out.push(p);
		}
	};
	walk(dir);
	return out.sort();
}

/* ---- console and page errors ----------------------------------------- */

const errors = [];	/* {page, text} for every page of every context */
let hostileTmp = null;	/* removed at the end, even on a time-out */
const visited = new Set();

function watch(context, label) {
	context.on('page', (p) => {
		p.on('console', (m) => {
			if (m.type() !== 'error')
				return;
			const loc = m.location() || {};
			/* The deliberate visit of a missing page logs its own 404. */
			if (/status of 404/.test(m.text()) && /no-such-page/.test(loc.url || ''))
				return;
			/* Requests outside the site folder have their own test. */
			if (/status of 404/.test(m.text()) && /^https?:\/\/127\.0\.0\.1:\d+\/favicon\.ico$/.test(loc.url || ''))
				return;
			errors.push({ page: `${label} ${p.url()}`, text: `console: ${m.text()}${loc.url ? ` at ${loc.url}:${loc.lineNumber}` : ''}` });
		});
		p.on('pageerror', (e) => errors.push({ page: `${label} ${p.url()}`, text: `page error: ${e.message}` }));
		p.on('framenavigated', (f) => {
			if (f === p.mainFrame())
				visited.add(f.url());
		});
	});
}

/* ---- the hostile registry --------------------------------------------- */

function buildHostile() {
	const dir = path.join(__dirname, 'hostile');
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-hostile-'));
	try {
		execFileSync(path.join(dir, 'mkpackages'), [path.join(tmp, 'packages')],
		    { stdio: ['ignore', 'ignore', 'pipe'] });
		execFileSync(GEN, ['-C', dir, '-t', path.join(REPO, 'templates'),
			'-p', path.join(tmp, 'packages'), '-o', path.join(tmp, 'site'),
			'-g', path.join(tmp, 'generated'), '-q', 'build'],
		    { stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (e) {
		fs.rmSync(tmp, { recursive: true, force: true });
		throw e;
	}
	return { tmp, site: path.join(tmp, 'site') };
}

/* ---- main ---------------------------------------------------------------- */

async function main() {
	const siteArg = process.argv[2];
	if (!siteArg || process.argv.length > 3) {
		console.error('usage: node tests/browser/run.js SITE_DIR');
		return 2;
	}
	const SITE = path.resolve(siteArg);
	if (!fs.existsSync(path.join(SITE, 'index.html'))) {
		console.error(`browser: ${SITE}/index.html: no such file`);
		return 2;
	}
	const { chromium } = req('playwright-core');
	fs.mkdirSync(SHOTS, { recursive: true });

	let hostile = null, hostileErr = null;
	try {
		hostile = buildHostile();
		hostileTmp = hostile.tmp;
	} catch (e) {
		hostileErr = `${GEN} failed: ${e.stderr ? e.stderr.toString().trim() : e.message}`;
	}

	const mounts = { [PREFIX]: SITE };
	if (hostile)
		mounts[HOSTILE_PREFIX] = hostile.site;
	const server = await serve(mounts);
	const base = server.origin + PREFIX;
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
	try {
		const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		watch(ctx, '[http]');
		try {
			await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
		} catch (e) {
			/* Reading the clipboard may be unsupported: the test falls back. */
		}
		const page = await ctx.newPage();
		page.setDefaultTimeout(10000);
		await siteTests(page, ctx, base, SITE);
		await ctx.close();

		const fctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		watch(fctx, '[file]');
		await fileTests(fctx, SITE);
		await fctx.close();

		await test('html-validate: every .html file of the site', () => validate(SITE));

		const hctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		/* Nothing leaves the machine: external navigations get a stub. */
		await hctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.fulfill({
			status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>external</title><p>external',
		}));
		await hostileTests(hctx, server.origin + HOSTILE_PREFIX, hostile, hostileErr);
		await hctx.close();

		await test('no request outside the site folder (root-absolute paths, /favicon.ico)', () => {
			const out = [...new Set(server.log.filter((r) => !r.path.startsWith(PREFIX) &&
			    !r.path.startsWith(HOSTILE_PREFIX)).map((r) => `${r.path} (HTTP ${r.status})`))];
			assert(out.length === 0, `${out.length} path(s) outside ${PREFIX}: ${list(out)}` +
			    (out.some((p) => p.startsWith('/favicon.ico')) ?
			    '\n    (a page without <link rel="icon"> makes the browser ask for /favicon.ico)' : ''));
		});

		await test('no console errors and no page errors on any page visited', () => {
			const seen = new Map();
			for (const e of errors) {
				const k = `${e.page}: ${e.text}`;
				seen.set(k, (seen.get(k) || 0) + 1);
			}
			assert(errors.length === 0, `${errors.length} error(s):\n` +
			    list([...seen].map(([k, n]) => (n > 1 ? `${k} (${n} times)` : k))));
			return `${visited.size} page loads`;
		});
	} finally {
		await browser.close();
		await server.close();
		if (hostile)
			fs.rmSync(hostile.tmp, { recursive: true, force: true });
	}
	return failed ? 1 : 0;
}

/* ---- over HTTP, under /registry/ ------------------------------------------ */

async function siteTests(page, ctx, base, SITE) {
	const home = base + 'index.html';
	let engineUrl = null, engineName = null, crawled = null;

	await test('home page: search narrows the engine cards', async () => {
		const resp = await page.goto(home);
		assert(resp && resp.status() === 200, `${home}: HTTP ${resp && resp.status()}`);
		const box = page.locator('input[type="search"]').first();
		assert(await box.count() === 1, 'no input[type=search] on the home page');
		await box.waitFor({ state: 'visible' });
		const cards = page.locator('.card');
		const n = await cards.count();
		assert(n > 0, 'no .card on the home page');
		const first = cards.first();
		const name = (await first.locator('h2, h3, a').first().innerText()).trim();
		assert(name, 'the first card has no name');
		await box.fill(name);
		await until(page, (nm) => {
			const cs = [...document.querySelectorAll('.card')];
			const vis = (c) => !c.hidden && getComputedStyle(c).display !== 'none';
			return vis(cs[0]) && (cs.length === 1 || cs.slice(1).some((c) => !vis(c)));
		}, name, `typing "${name}" did not leave the first card alone visible`);
		/* Every visible card mentions the name somewhere (sanity). */
		const bad = await page.evaluate((nm) => [...document.querySelectorAll('.card')]
		    .filter((c) => !c.hidden && getComputedStyle(c).display !== 'none')
		    .filter((c) => !c.textContent.toLowerCase().includes(nm.toLowerCase()))
		    .map((c) => c.id || c.textContent.trim().slice(0, 40)), name);
		const note = bad.length ? `; visible without the name in their text: ${bad.join(', ')}` : '';
		await box.fill('zzqx-no-such-engine-42');
		await until(page, () => {
			const cs = [...document.querySelectorAll('.card')];
			const vis = (el) => el && !el.hidden && getComputedStyle(el).display !== 'none' &&
			    el.getClientRects().length > 0;
			const msg = document.querySelector('#no-match, [data-no-match], .no-match');
			return cs.every((c) => !vis(c)) && vis(msg);
		}, null, 'nonsense search: cards still shown or no visible no-match message (#no-match)');
		await box.fill('');
		await until(page, () => [...document.querySelectorAll('.card')].every((c) => !c.hidden),
		    null, 'clearing the search did not bring the cards back');
		engineName = name;
		return `${n} cards, "${name}"${note}`;
	});

	await test('home page: a card link leads to the engine page with its h1', async () => {
		if (page.url() !== home)
			await page.goto(home);
		const link = page.locator('.card a[href*="engines/"]').first();
		assert(await link.count() === 1, 'no link to engines/... in the first card');
		const name = engineName || (await link.innerText()).trim();
		await Promise.all([page.waitForURL(/\/engines\//), link.click()]);
		engineUrl = page.url();
		assert(engineUrl.startsWith(base), `left the site: ${engineUrl}`);
		const h1 = page.locator('h1');
		assert(await h1.count() >= 1, 'no h1 on the engine page');
		const text = (await h1.first().innerText()).trim();
		assert(text.includes(name), `h1 is "${text}", expected "${name}"`);
		return engineUrl.slice(base.length);
	});

	await test('engine page: the os filter hides the rows of other systems', async () => {
		assert(engineUrl, 'no engine page reached');
		if (page.url() !== engineUrl)
			await page.goto(engineUrl);
		const sel = page.locator('select[data-filter="os"], select[name="os"]').first();
		assert(await sel.count() === 1, 'no os filter (select[data-filter=os])');
		await sel.waitFor({ state: 'visible' });
		const values = await sel.evaluate((s) => [...s.options].map((o) => o.value).filter(Boolean));
		const rowOs = await page.$$eval('tr[data-os]', (rs) => rs.map((r) => r.getAttribute('data-os')));
		assert(rowOs.length, 'no table rows with data-os');
		/* A value present in the rows, with rows of other systems beside. */
		const pick = values.find((v) => rowOs.includes(v) && rowOs.some((o) => o !== v)) ||
		    values.find((v) => rowOs.includes(v));
		assert(pick, `no filter value among ${values.join(', ')} matches a row`);
		await sel.selectOption(pick);
		await until(page, (v) => [...document.querySelectorAll('tr[data-os]')].every((r) => {
			const shown = !r.hidden && getComputedStyle(r).display !== 'none';
			return r.getAttribute('data-os') === v ? shown : !shown;
		}), pick, `after choosing "${pick}", rows of other systems are visible or rows of "${pick}" hidden`);
		const counts = await page.$$eval('tr[data-os]', (rs, v) => ({
			shown: rs.filter((r) => r.getAttribute('data-os') === v).length,
			hidden: rs.filter((r) => r.getAttribute('data-os') !== v).length,
		}), pick);
		await sel.selectOption('');
		await until(page, () => [...document.querySelectorAll('tr[data-os]')].every((r) => !r.hidden),
		    null, 'choosing "Any" again did not show every row');
		return `${pick}: ${counts.shown} shown, ${counts.hidden} hidden`;
	});

	await test('engine page: a copy button copies the full SHA-256 of its row', async () => {
		assert(engineUrl, 'no engine page reached');
		if (!page.url().startsWith(engineUrl))
			await page.goto(engineUrl);
		const btn = page.locator('tr[data-os] button:visible').first();
		await btn.waitFor({ state: 'visible' });
		const sha = await btn.evaluate((b) => {
			const m = b.closest('tr').textContent.match(/\b[0-9a-f]{64}\b/);
			return m ? m[0] : null;
		});
		assert(sha, 'the row of the first copy button shows no 64-hex SHA-256');
		await page.evaluate(() => navigator.clipboard && navigator.clipboard.writeText('').catch(() => {}));
		await btn.click();
		let clip = null;
		try {
			await page.waitForFunction(async (want) =>
			    (await navigator.clipboard.readText()) === want, sha, { timeout: 3000, polling: 100 });
			clip = sha;
		} catch (e) {
			clip = await page.evaluate(() => navigator.clipboard.readText().catch((err) => `error: ${err}`));
			if (typeof clip === 'string' && clip.startsWith('error:')) {
				/* No clipboard reading here: the feedback must say so. */
				const text = (await btn.innerText()).trim();
				assert(/copied/i.test(text), `clipboard unreadable (${clip}) and the button says "${text}", not "Copied"`);
				return 'clipboard unreadable; the button said Copied';
			}
			fail(`clipboard holds "${clip}", expected ${sha}`);
		}
		return `${sha.slice(0, 12)}...`;
	});

	await test('crawl: every internal link, script, stylesheet and image resolves (200)', async () => {
		/* Three tabs crawl side by side. */
		const tabs = [page, await ctx.newPage(), await ctx.newPage()];
		try {
			crawled = await crawl(tabs, [home, base + '404.html'], base);
		} finally {
			await Promise.all(tabs.slice(1).map((t) => t.close()));
		}
		assert(crawled.broken.length === 0, `${crawled.broken.length} broken:\n` +
		    list(crawled.broken.map((b) => `${b.url} (from ${b.from}): ${b.why}`)));
		return `${crawled.pages.length} pages, ${crawled.resources.size} targets`;
	});

	await test('crawl: every #fragment names an id on its target page', async () => {
		assert(crawled, 'no crawl');
		assert(crawled.fragments.length === 0, `${crawled.fragments.length} bad:\n` +
		    list(crawled.fragments.map((b) => `${b.url} (from ${b.from}): ${b.why}`)));
	});

	await test('every .html file of the site is reached by the crawl', async () => {
		assert(crawled, 'no crawl');
		const reached = new Set(crawled.pages.map((u) => decodeURIComponent(new URL(u).pathname.slice(PREFIX.length))));
		const orphans = htmlFiles(SITE).map((f) => path.relative(SITE, f).split(path.sep).join('/'))
		    .filter((f) => !reached.has(f));
		assert(orphans.length === 0, `${orphans.length} not linked from anywhere:\n${list(orphans)}`);
	});

	/* One page of each kind: from the crawl, else by their known paths. */
	const pages = crawled ? crawled.pages : [];
	const pick = (re) => pages.find((u) => re.test(u.slice(base.length))) || null;
	const kinds = [
		['home', home],
		['engine', engineUrl || pick(/^engines\/[^/]+\/index\.html$/)],
		['dockerfile', pick(/^docker\/.+\/index\.html$/)],
		['platforms', base + 'platforms.html'],
		['404', base + 'no-such-page.html'],
	];
	if (REGISTRIES) {
		await registryTests(page, base, SITE, kinds.map((k) => k[1]));
		for (const p of REG_PAGES)
			kinds.push([p.replace(/\.html$/, ''), base + p]);
	}
	if (CR) {
		await crTests(page, ctx, base, SITE, kinds.map((k) => k[1]));
		kinds.push(['container-registries', base + CR_PAGE]);
	}
	if (DEPLOY)
		await deployTests(page, ctx, base, SITE, kinds.map((k) => k[1]), '');

	await test('the missing page gets 404.html with status 404', async () => {
		const resp = await page.goto(base + 'no-such-page.html');
		assert(resp.status() === 404, `HTTP ${resp.status()}`);
		const title = await page.title();
		assert(title, '404 page has no title');
		const links = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
		assert(links.some((h) => h === base + 'index.html'), '404 page has no link to index.html');
	});

	const axePath = require.resolve('axe-core/axe.min.js', { paths: [NODE_MODULES] });
	for (const [kind, url] of kinds) {
		await test(`axe-core: no serious or critical violations on the ${kind} page`, async () => {
			assert(url, `no ${kind} page found`);
			await page.goto(url);
			await page.addScriptTag({ path: axePath });
			const res = await page.evaluate(async () => {
				const r = await window.axe.run(document, { resultTypes: ['violations'] });
				return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
					nodes: v.nodes.length, target: v.nodes[0] && v.nodes[0].target.join(' ') }));
			});
			for (const v of res)
				console.log(`    axe ${kind}: ${v.impact} ${v.id}: ${v.help} (${v.nodes} nodes, e.g. ${v.target})`);
			const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
			assert(bad.length === 0, `${bad.length} serious/critical: ${bad.map((v) => v.id).join(', ')}`);
			return `${res.length} minor or moderate`;
		});
	}

	await test('screenshots in build/screenshots/', async () => {
		const shots = [['home', home], ['engine', kinds[1][1]], ['dockerfile', kinds[2][1]],
			['platforms', kinds[3][1]]];
		if (REGISTRIES)
			shots.push(['frameworks', base + 'frameworks.html'], ['compatibility', base + 'compatibility.html']);
		if (CR)
			shots.push(['container-registries', base + CR_PAGE]);
		if (DEPLOY)
			shots.push(['deployments', base + DEPLOY_PAGE]);
		for (const [name, url] of shots) {
			assert(url, `no ${name} page`);
			await page.goto(url);
			await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
		}
		const narrow = await ctx.newPage();
		await narrow.setViewportSize({ width: 390, height: 844 });
		await narrow.goto(home);
		await narrow.screenshot({ path: path.join(SHOTS, 'home-narrow.png'), fullPage: true });
		/* At 390px nothing should need a horizontal scroll bar (wide
		 * tables scroll inside their own box). */
		const over = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		const wide = [];
		for (const p of [...(REGISTRIES ? REG_PAGES : []), ...(CR ? [CR_PAGE] : []),
			...(DEPLOY ? [DEPLOY_PAGE] : [])]) {
			await narrow.goto(base + p);
			const w = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			if (w > 1)
				wide.push(`${p} by ${w}px`);
		}
		await narrow.close();
		assert(over <= 1, `the home page is ${over}px wider than a 390px screen`);
		assert(wide.length === 0, `wider than a 390px screen: ${wide.join(', ')}`);
		return `${shots.map((sh) => sh[0]).join(', ')}, home-narrow`;
	});
}

/* ---- the registry pages (frameworks, models, instances, compatibility) ---- */

const REG_PAGES = ['frameworks.html', 'models.html', 'instances.html', 'compatibility.html'];

/* Everything the compatibility page shows, read in the page: per table its
 * column types (with their instances.html#ids) and per row its framework
 * version id and cells. */
function readMatrix(page) {
	return page.evaluate(() => [...document.querySelectorAll('table.compat')].map((t) => ({
		id: t.id,
		caption: (t.querySelector('caption') || {}).textContent || '',
		cols: [...t.querySelectorAll('thead th[scope="col"]')].slice(1).map((th) => {
			const a = th.querySelector('a');
			return { type: a ? a.textContent.trim() : '', id: a ? a.hash.slice(1) : '' };
		}),
		rows: [...t.querySelectorAll('tbody tr')].map((tr) => {
			const th = tr.querySelector('th[scope="row"]');
			const a = th && th.querySelector('a');
			return {
				label: a ? a.textContent.trim() : '',
				id: a ? a.hash.slice(1) : '',
				cells: [...tr.querySelectorAll('td')].map((td) => ({
					yes: td.classList.contains('cell-yes'),
					no: td.classList.contains('cell-no'),
					version: ((td.querySelector('.cell-versions') || {}).textContent || '').trim(),
					title: td.getAttribute('title') || '',
					hidden: ((td.querySelector('.vh') || {}).textContent || '').trim(),
					mark: ((td.querySelector('.mark') || {}).textContent || '').trim(),
				})),
			};
		}),
	})));
}

/* The matrix as a map "versionId instanceId" -> cell. */
function matrixMap(tables) {
	const m = new Map();
	for (const t of tables)
		for (const r of t.rows)
			r.cells.forEach((c, i) => m.set(`${r.id} ${t.cols[i].id}`, c));
	return m;
}

async function registryTests(page, base, SITE, others) {
	const url = (p) => base + p;

	await test('registry pages: all four exist and the header links them from every kind of page', async () => {
		const missing = REG_PAGES.filter((p) => !fs.existsSync(path.join(SITE, p)));
		assert(missing.length === 0, `the input has registries but the site lacks ${missing.join(', ')}`);
		const from = [...others.filter(Boolean), ...REG_PAGES.map(url)];
		for (const u of from) {
			await page.goto(u);
			const hrefs = await page.$$eval('header nav a[href]', (as) => as.map((a) => a.href));
			const lack = REG_PAGES.filter((p) => !hrefs.includes(url(p)));
			assert(lack.length === 0, `${u.slice(base.length) || u}: no header link to ${lack.join(', ')}`);
		}
		for (const p of REG_PAGES) {
			await page.goto(url(p));
			const cur = await page.$$eval('header nav a[aria-current="page"]', (as) => as.map((a) => a.href));
			assert(cur.length === 1 && cur[0] === url(p), `${p}: aria-current on ${cur.join(', ') || 'no link'}`);
			assert(await page.locator('main h1').count() === 1, `${p}: not one h1`);
		}
		await page.goto(url('index.html'));
		const home = await page.$$eval('#registries a[href]', (as) => as.map((a) => a.href));
		const lack = REG_PAGES.filter((p) => !home.includes(url(p)));
		assert(lack.length === 0, `the home page's registry section does not link ${lack.join(', ')}`);
		return `${from.length} pages`;
	});

	let matrix = null, versions = null, instances = null;
	await test('compatibility matrix: a row per framework version, a column per instance type, each cell yes (with its version) or no (with why)', async () => {
		await page.goto(url('frameworks.html'));
		versions = await page.$$eval('.fw-version h3[id]', (hs) => hs.map((h) => h.id));
		await page.goto(url('instances.html'));
		instances = await page.$$eval('table.instances tbody tr', (trs) => trs.map((tr) => ({
			id: tr.id, type: tr.querySelector('th').textContent.trim(),
		})));
		assert(versions.length > 0 && instances.length > 0,
		    `${versions.length} framework versions, ${instances.length} instance types`);
		await page.goto(url('compatibility.html'));
		const tables = await readMatrix(page);
		matrix = matrixMap(tables);
		const lead = await page.locator('main .lead').first().innerText();
		assert(tables.length === 1, `${tables.length} tables for a small registry (expected one)`);
		const t = tables[0];
		assert(t.caption.trim(), 'the table has no caption');
		assert(t.rows.length === versions.length, `${t.rows.length} rows, ${versions.length} framework versions`);
		assert(t.cols.length === instances.length, `${t.cols.length} columns, ${instances.length} instance types`);
		assert(JSON.stringify(t.rows.map((r) => r.id)) === JSON.stringify(versions),
		    'the rows do not link the framework versions in their order');
		assert(JSON.stringify(t.cols.map((c) => c.id)) === JSON.stringify(instances.map((i) => i.id)),
		    'the columns do not link the instance types in their order');
		let yes = 0;
		for (const r of t.rows) {
			assert(r.cells.length === t.cols.length, `${r.label}: ${r.cells.length} cells`);
			r.cells.forEach((c, i) => {
				const where = `${r.label} on ${t.cols[i].type}`;
				assert(c.yes !== c.no, `${where}: neither or both of cell-yes and cell-no`);
				if (c.yes) {
					yes++;
					assert(c.mark === '✓' && c.version, `${where}: compatible without ✓ and a version`);
				} else {
					assert(c.mark === '✗' && c.title, `${where}: not compatible without ✗ and a reason`);
					assert(c.hidden === `Not compatible: ${c.title}`, `${where}: hidden text "${c.hidden}"`);
				}
			});
		}
		const want = `${yes} of ${t.rows.length * t.cols.length} pairs are compatible`;
		assert(lead.includes(want), `the lead says "${lead}", the cells "${want}"`);
		return `${t.rows.length} x ${t.cols.length}, ${yes} compatible`;
	});

	await test('frameworks: each recommended instance type\'s verdict is the matrix\'s', async () => {
		assert(matrix, 'no matrix read');
		await page.goto(url('frameworks.html'));
		const refs = await page.$$eval('.fw-version', (vs) => vs.flatMap((v) => {
			const id = v.querySelector('h3[id]').id;
			return [...v.querySelectorAll('.inst-list li')].filter((li) => li.querySelector('.fit'))
			    .map((li) => ({
				v: id, inst: li.querySelector('a').hash.slice(1),
				yes: !!li.querySelector('.fit-yes'),
				text: li.querySelector('.fit').textContent.trim(),
			}));
		}));
		assert(refs.length > 0, 'no recommended instance type marked compatible or not');
		let no = 0;
		for (const r of refs) {
			const c = matrix.get(`${r.v} ${r.inst}`);
			assert(c, `${r.v} x ${r.inst}: not in the matrix`);
			const want = c.yes ? `✓ compatible, ${c.version}` : `✗ not compatible: ${c.title}`;
			assert(r.text === want, `${r.v} x ${r.inst}: frameworks.html says "${r.text}", the matrix "${want}"`);
			no += !r.yes;
		}
		return `${refs.length} checked, ${no} incompatible`;
	});

	await test('models: chat templates are text in a closed <details>, shown when opened', async () => {
		await page.goto(url('models.html'));
		const n = await page.locator('details.chat-template').count();
		assert(n > 0, 'no details.chat-template');
		const bad = await page.$$eval('details.chat-template', (ds) => ds.filter((d) => d.open ||
		    !d.querySelector(':scope > summary') || !d.querySelector('pre > code') ||
		    d.querySelector('pre > code').children.length !== 0).length);
		assert(bad === 0, `${bad} open, without a summary, or with elements inside the code`);
		const d = page.locator('details.chat-template').first();
		const code = d.locator('pre > code');
		assert(!(await code.isVisible()), 'the template shows before its details are opened');
		await d.locator('summary').click();
		await code.waitFor({ state: 'visible' });
		assert((await code.innerText()).length > 0, 'an empty chat template');
		const scripts = await page.locator('main script').count();
		assert(scripts === 0, `${scripts} script element(s) in main`);
		return `${n} templates`;
	});

	await test('instances: each row has a type and at most one default version', async () => {
		await page.goto(url('instances.html'));
		const rows = await page.$$eval('table.instances tbody tr', (trs) => trs.map((tr) => ({
			type: tr.querySelector('th[scope="row"]') ? tr.querySelector('th').textContent.trim() : '',
			cells: tr.querySelectorAll('td').length,
			defaults: [...tr.querySelectorAll('.versions li')].filter((li) => /\(default\)/.test(li.textContent)).length,
			versions: tr.querySelectorAll('.versions li').length,
		})));
		const cols = await page.locator('table.instances thead th').count();
		const bad = rows.filter((r) => !r.type || r.cells + 1 !== cols || r.defaults > 1 ||
		    (r.versions > 0 && r.defaults === 0));
		assert(bad.length === 0, `bad rows: ${bad.map((r) => r.type || '?').join(', ')}`);
		return `${rows.length} instance types`;
	});
}

/* ---- the container-registry page ------------------------------------------ */

const CR_PAGE = 'container-registries.html';

/* The cards the page shows: [{name, tags, hidden}]. */
function crCards(page) {
	return page.$$eval('.cr-card', (cs) => cs.map((c) => ({
		name: c.querySelector('.card-title').textContent.trim(),
		tags: (c.getAttribute('data-tags') || '').split(' ').filter(Boolean),
		hidden: c.hidden || getComputedStyle(c).display === 'none',
		health: c.querySelector('.cr-health') ? c.querySelector('.cr-health').textContent.trim() : '',
	})));
}

async function crTests(page, ctx, base, SITE, others) {
	const url = base + CR_PAGE;

	await test('container registries: the page exists, linked from every kind of page and the home page', async () => {
		assert(fs.existsSync(path.join(SITE, CR_PAGE)), `the repository lists container registries but the site lacks ${CR_PAGE}`);
		for (const u of [...others.filter(Boolean), url]) {
			await page.goto(u);
			const hrefs = await page.$$eval('header nav a[href]', (as) => as.map((a) => a.href));
			assert(hrefs.includes(url), `${u.slice(base.length) || u}: no header link to ${CR_PAGE}`);
		}
		const cur = await page.$$eval('header nav a[aria-current="page"]', (as) => as.map((a) => a.href));
		assert(cur.length === 1 && cur[0] === url, `aria-current on ${cur.join(', ') || 'no link'}`);
		await page.goto(base + 'index.html');
		const home = await page.$$eval('#container-registries a[href]', (as) => as.map((a) => a.href));
		assert(home.includes(url), 'the home page\'s container-registry section does not link the page');
	});

	await test('container registries: each card has a name, URL, prefix, storage and a health line', async () => {
		await page.goto(url);
		const cards = await crCards(page);
		assert(cards.length > 0, 'no .cr-card');
		const bad = cards.filter((c) => !c.name || !/^(✓ healthy|✗ unhealthy|not checked)/.test(c.health));
		assert(bad.length === 0, `cards without a name or a health line: ${bad.map((c) => c.name || '?').join(', ')}`);
		const facts = await page.$$eval('.cr-card', (cs) => cs.filter((c) =>
		    [...c.querySelectorAll('.card-facts dt')].map((d) => d.textContent).join('|') !==
		    'Public URL|Image prefix|Tags|Storage').length);
		assert(facts === 0, `${facts} card(s) without Public URL, Image prefix, Tags and Storage`);
		const links = await page.$$eval('.cr-card .card-facts a[href]', (as) => as.map((a) => a.getAttribute('href')));
		assert(links.every((h) => /^https?:\/\//.test(h)), `URL links that are not http(s): ${links.join(', ')}`);
		return `${cards.length} registries`;
	});

	await test('container registries: tag buttons narrow the cards, ?tag= keeps the choice', async () => {
		await page.goto(url);
		await page.locator('#cr-filters').waitFor({ state: 'visible' });
		const all = await crCards(page);
		const tags = await page.$$eval('button[data-tag]', (bs) => bs.map((b) => b.getAttribute('data-tag')).filter(Boolean));
		assert(tags.length > 0, 'no tag buttons');
		/* The tag on the fewest cards narrows the most. */
		const count = (t) => all.filter((c) => c.tags.includes(t)).length;
		const tag = tags.slice().sort((a, b) => count(a) - count(b))[0];
		await page.locator(`button[data-tag="${tag}"]`).click();
		await until(page, (t) => [...document.querySelectorAll('.cr-card')].every((c) =>
		    c.hidden === !(c.getAttribute('data-tags') || '').split(' ').includes(t)), tag, `cards for ${tag}`);
		const pressed = await page.$$eval('button[aria-pressed="true"]', (bs) => bs.map((b) => b.getAttribute('data-tag')));
		assert(pressed.length === 1 && pressed[0] === tag, `pressed: ${pressed.join(', ')}`);
		assert(page.url().includes(`tag=${encodeURIComponent(tag)}`), `the address does not keep the tag: ${page.url()}`);
		await page.reload();
		await until(page, () => document.querySelectorAll('.cr-card:not([hidden])').length > 0 &&
		    !document.getElementById('cr-filters').hidden, null, 'the page after a reload');
		const after = (await crCards(page)).filter((c) => !c.hidden).length;
		assert(after === count(tag), `after a reload ${after} cards show, expected ${count(tag)}`);
		await page.locator('button[data-tag=""]').click();
		await until(page, () => [...document.querySelectorAll('.cr-card')].every((c) => !c.hidden), null, 'every card again');
		return `${tag}: ${count(tag)} of ${all.length}`;
	});

	await test('container registries: without JavaScript every card shows and the tag buttons do not', async () => {
		const nojs = await ctx.browser().newContext({ javaScriptEnabled: false });
		try {
			const p = await nojs.newPage();
			await p.goto(url + '?tag=none-such');
			const cards = await crCards(p);
			assert(cards.length > 0 && cards.every((c) => !c.hidden), 'hidden cards without JavaScript');
			assert(!(await p.locator('#cr-filters').isVisible()), 'the tag buttons show without JavaScript');
		} finally {
			await nojs.close();
		}
	});
}

/* ---- the deployment pages -------------------------------------------------- */

const DEPLOY_PAGE = 'deployments.html';
const DEPLOY_FILTERS = ['status', 'backend', 'instance', 'region', 'test'];

/* The rows of the deployments table: [{id, href, hidden, data: {K: v}}]. */
function deployRows(page) {
	return page.$$eval('table.deployments tbody tr', (trs, keys) => trs.map((tr) => {
		const a = tr.querySelector('th a');
		const data = {};
		for (const k of keys)
			data[k] = tr.getAttribute(`data-${k}`);
		return {
			id: a ? a.textContent.trim() : '', href: a ? a.href : '',
			hidden: tr.hidden || getComputedStyle(tr).display === 'none',
			verdict: ((tr.querySelector('.verdict') || {}).textContent || '').trim(),
			data,
		};
	}), DEPLOY_FILTERS);
}

/*
 * The deployments table and the configuration pages of the site under
 * base (files in SITE): linked from the header of every page in others and
 * from the home page, every filter value narrowing the rows, the address
 * keeping the choice, every row linking its page, whose registry links
 * name existing anchors; known: {configId: [verdict, reason RegExp]}.
 * Returns the URL of one configuration page.
 */
async function deployTests(page, ctx, base, SITE, others, label, known) {
	const url = base + DEPLOY_PAGE;
	const name = `${label}deployments: `;
	let one = null;

	await test(`${name}the table exists, linked from the header of every kind of page and the home page`, async () => {
		assert(fs.existsSync(path.join(SITE, DEPLOY_PAGE)), `the repository has records but the site lacks ${DEPLOY_PAGE}`);
		for (const u of [...others.filter(Boolean), url]) {
			await page.goto(u);
			const hrefs = await page.$$eval('header nav a[href]', (as) => as.map((a) => a.href));
			assert(hrefs.includes(url), `${u.slice(base.length) || u}: no header link to ${DEPLOY_PAGE}`);
		}
		const cur = await page.$$eval('header nav a[aria-current="page"]', (as) => as.map((a) => a.href));
		assert(cur.length === 1 && cur[0] === url, `aria-current on ${cur.join(', ') || 'no link'}`);
		await page.goto(base + 'index.html');
		const home = await page.$$eval('#deployments a[href]', (as) => as.map((a) => a.href));
		assert(home.includes(url), 'the home page\'s deployments section does not link the table');
	});

	await test(`${name}each filter value shows exactly its rows; ?K= keeps it; reset shows all`, async () => {
		await page.goto(url);
		await page.locator('#deployment-filters').waitFor({ state: 'visible' });
		const rows = await deployRows(page);
		assert(rows.length > 0, 'no rows');
		let tried = 0;
		for (const k of DEPLOY_FILTERS) {
			const sel = page.locator(`select[data-filter="${k}"]`);
			assert(await sel.count() === 1, `no ${k} filter`);
			const values = await sel.evaluate((s) => [...s.options].map((o) => o.value).filter(Boolean));
			const present = [...new Set(rows.map((r) => r.data[k]).filter(Boolean))].sort();
			assert(JSON.stringify(values) === JSON.stringify(present),
			    `${k}: offers ${values.join(', ')}, the rows have ${present.join(', ')}`);
			for (const v of values) {
				await sel.selectOption(v);
				await until(page, ([kk, vv]) => [...document.querySelectorAll('table.deployments tbody tr')]
				    .every((tr) => tr.hidden === (tr.getAttribute(`data-${kk}`) !== vv)), [k, v],
				    `${k}=${v}: the rows shown are not those with data-${k}="${v}"`);
				const want = rows.filter((r) => r.data[k] === v).length;
				await until(page, (w) => document.getElementById('deployment-count').textContent.startsWith(w),
				    `${want} of ${rows.length} `, `${k}=${v}: the count does not say ${want} of ${rows.length}`);
				assert(new URL(page.url()).searchParams.get(k) === v, `${k}=${v}: the address is ${page.url()}`);
				tried++;
			}
			await sel.selectOption('');
		}
		/* Two filters at once, from the address. */
		const r0 = rows[0];
		await page.goto(`${url}?status=${encodeURIComponent(r0.data.status)}&backend=${encodeURIComponent(r0.data.backend)}`);
		await until(page, (r) => [...document.querySelectorAll('table.deployments tbody tr')].every((tr) =>
		    tr.hidden === !(tr.getAttribute('data-status') === r.status && tr.getAttribute('data-backend') === r.backend)),
		r0.data, 'status and backend from the address do not narrow the rows');
		await page.locator('#deployment-filters [data-reset]').click();
		await until(page, () => [...document.querySelectorAll('table.deployments tbody tr')].every((tr) => !tr.hidden),
		    null, 'reset did not show every row');
		assert(!new URL(page.url()).search, `after reset the address keeps ${page.url()}`);
		return `${rows.length} rows, ${tried} filter values`;
	});

	await test(`${name}without JavaScript every row shows and the filters do not`, async () => {
		const nojs = await ctx.browser().newContext({ javaScriptEnabled: false });
		try {
			const p = await nojs.newPage();
			await p.goto(url + '?status=failed');
			const rows = await deployRows(p);
			assert(rows.length > 0 && rows.every((r) => !r.hidden), 'hidden rows without JavaScript');
			assert(!(await p.locator('#deployment-filters').isVisible()), 'the filters show without JavaScript');
		} finally {
			await nojs.close();
		}
	});

	await test(`${name}each row links its configuration page; its registry links name existing anchors`, async () => {
		await page.goto(url);
		const rows = await deployRows(page);
		const targets = new Map();
		for (const r of rows) {
			assert(r.href === base + `deployments/${r.id}.html`, `${r.id}: links ${r.href}`);
			await page.goto(r.href);
			const h = await page.evaluate(() => ({
				pill: ((document.querySelector('h1 .version-pill') || {}).textContent || '').trim(),
				verdict: ((document.querySelector('.verdict-line strong') || {}).textContent || '').trim(),
				reason: ((document.querySelector('.verdict-line') || {}).textContent || '').trim(),
				history: document.querySelectorAll('table.history tbody tr').length,
				links: [...document.querySelectorAll('main a[href]')].map((a) => a.href),
			}));
			assert(h.pill === r.id, `${r.id}: h1 names ${h.pill}`);
			assert(h.history > 0, `${r.id}: no history rows`);
			assert(r.verdict.endsWith(h.verdict.replace(/^\S+ /, '')), `${r.id}: the table says ${r.verdict}, the page ${h.verdict}`);
			if (known && known[r.id]) {
				const [v, why] = known[r.id];
				assert(h.verdict.endsWith(v), `${r.id}: verdict ${h.verdict}, expected ${v}`);
				assert(!why || why.test(h.reason), `${r.id}: reason "${h.reason}"`);
			}
			for (const l of h.links)
				if (l.includes('#') && l.startsWith(base))
					targets.set(l, r.id);
			one = one || r.href;
		}
		if (known)
			assert(Object.keys(known).every((id) => rows.some((r) => r.id === id)), 'a known record is missing');
		let n = 0;
		for (const [l, from] of targets) {
			const [file, frag] = l.split('#');
			await page.goto(file);
			const found = await page.evaluate((id) => !!document.getElementById(id), decodeURIComponent(frag));
			assert(found, `${from}: ${l.slice(base.length)} names no element`);
			n++;
		}
		assert(!known || n > 0, 'no link to a registry page');
		return `${rows.length} pages, ${n} registry anchors`;
	});

	const axePath = require.resolve('axe-core/axe.min.js', { paths: [NODE_MODULES] });
	for (const [kind, u] of [['table', url], ['configuration', () => one]]) {
		await test(`${name}axe-core: no serious or critical violations on the ${kind} page`, async () => {
			const target = typeof u === 'function' ? u() : u;
			assert(target, `no ${kind} page`);
			await page.goto(target);
			await page.addScriptTag({ path: axePath });
			const res = await page.evaluate(async () => {
				const r = await window.axe.run(document, { resultTypes: ['violations'] });
				return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
			});
			const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
			assert(bad.length === 0, `${bad.length} serious/critical: ${bad.map((v) => `${v.id} (${v.nodes})`).join(', ')}`);
			return `${res.length} minor or moderate`;
		});
	}
	return one;
}

/* ---- from file:// ------------------------------------------------------------- */

async function fileTests(ctx, SITE) {
	await test('file://: the stylesheet loads and relative links resolve', async () => {
		const page = await ctx.newPage();
		await page.goto('about:blank');
		await page.setContent('<!DOCTYPE html><html><body><p>x</p></body></html>');
		const plain = await page.evaluate(() => {
			const s = getComputedStyle(document.body);
			return [s.fontFamily, s.margin, s.backgroundColor, s.color].join('|');
		});
		const url = 'file://' + path.join(SITE, 'index.html');
		await page.goto(url);
		const got = await page.evaluate(() => {
			const s = getComputedStyle(document.body);
			const sheets = [...document.querySelectorAll('link[rel="stylesheet"]')]
			    .map((l) => ({ href: l.getAttribute('href'), loaded: !!l.sheet }));
			const link = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))
			    .find((h) => /^[^:#?]+\.html(#.*)?$/.test(h) && h !== 'index.html');
			return { style: [s.fontFamily, s.margin, s.backgroundColor, s.color].join('|'), sheets, link,
				search: typeof window.GEN_SEARCH };
		});
		assert(got.sheets.length > 0, 'no link rel=stylesheet');
		const notLoaded = got.sheets.filter((s) => !s.loaded);
		assert(notLoaded.length === 0, `not loaded from file://: ${notLoaded.map((s) => s.href).join(', ')}`);
		assert(got.style !== plain, `body style is the browser default (${got.style})`);
		assert(got.link, 'no relative .html link on the home page');
		const target = path.join(SITE, decodeURIComponent(got.link.replace(/#.*/, '')));
		assert(fs.existsSync(target), `${got.link} -> ${target}: no such file`);
		await Promise.all([page.waitForURL(/^file:/), page.locator(`a[href="${got.link}"]`).first().click()]);
		assert(page.url().startsWith('file://'), `followed to ${page.url()}`);
		const h1 = await page.locator('h1').count();
		await page.close();
		assert(h1 > 0, `${got.link} opened from file:// has no h1`);
		return `${got.sheets.length} stylesheet(s); ${got.link}; search data ${got.search}`;
	});
}

/* ---- html-validate ------------------------------------------------------------- */

async function validate(SITE, label = '') {
	const { HtmlValidate } = req('html-validate');
	const hv = new HtmlValidate({ extends: ['html-validate:recommended'] });
	const files = htmlFiles(SITE);
	assert(files.length > 0, 'no .html files');
	const errs = [];
	let warnings = 0;
	for (const f of files) {
		const report = await hv.validateString(fs.readFileSync(f, 'utf8'), f);
		for (const r of report.results) {
			for (const m of r.messages) {
				if (m.severity === 2)
					errs.push(`${path.relative(SITE, f)}:${m.line}:${m.column}: ${m.ruleId}: ${m.message}`);
				else
					warnings++;
			}
		}
	}
	assert(errs.length === 0, `${errs.length} error(s) in ${files.length} files${label}:\n${list(errs, 10)}`);
	return `${files.length} files, ${warnings} warnings`;
}

/* ---- hostile input ------------------------------------------------------------- */

async function hostileTests(ctx, hbase, hostile, hostileErr) {
	const dialogs = [];
	ctx.on('page', (p) => p.on('dialog', (d) => {
		dialogs.push(d.message());
		d.dismiss().catch(() => {});
	}));
	watch(ctx, '[hostile]');
	const name = 'hostile input: ';
	if (!hostile) {
		await test(`${name}build the hostile registry with gen`, () => fail(hostileErr));
		return;
	}
	const page = await ctx.newPage();
	page.setDefaultTimeout(10000);
	const engine = hbase + 'engines/evil-engine/index.html';

	/* Everything that would show an injection, in one evaluation. */
	const inspect = () => page.evaluate(() => {
		const onAttrs = [];
		const badUrls = [];
		for (const el of document.querySelectorAll('*')) {
			for (const a of el.attributes) {
				if (/^on/i.test(a.name))
					onAttrs.push(`<${el.tagName.toLowerCase()} ${a.name}>`);
				if (/^(href|src|action|formaction|xlink:href|data)$/i.test(a.name) &&
				    /^\s*(javascript|vbscript|data:text\/html)/i.test(a.value))
					badUrls.push(`<${el.tagName.toLowerCase()} ${a.name}="${a.value}">`);
			}
		}
		const readme = document.querySelector('.readme, #about, #readme, [data-readme]');
		return {
			pwned: window.__pwned,
			onAttrs,
			badUrls,
			jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
			readme: !!readme,
			readmeScripts: readme ? readme.querySelectorAll('script, iframe, object, embed, style').length : -1,
			text: document.body.innerText,
			h1: (document.querySelector('h1') || {}).textContent || '',
		};
	});

	const check = (r, where) => {
		assert(r.pwned === undefined, `${where}: window.__pwned is ${r.pwned}`);
		assert(r.onAttrs.length === 0, `${where}: on* attributes: ${r.onAttrs.join(', ')}`);
		assert(r.badUrls.length === 0 && r.jsLinks === 0, `${where}: script URLs: ${r.badUrls.join(', ')}`);
	};

	await test(`${name}home page shows the text and runs nothing`, async () => {
		await page.goto(hbase + 'index.html');
		const r = await inspect();
		check(r, 'home');
		assert(r.text.includes('<script>window.__pwned=1</script>'),
		    'the description is not shown literally on the home page');
		assert(r.text.includes('Evil <b>bold</b>'), 'the name is not shown literally');
		const box = page.locator('input[type="search"]').first();
		if (await box.count()) {
			await box.waitFor({ state: 'visible' });
			await box.fill('<script>');
			await box.fill('evil');
			check(await inspect(), 'home after a search');
		}
	});

	await test(`${name}engine page shows the text and runs nothing`, async () => {
		await page.goto(engine);
		const r = await inspect();
		check(r, 'engine page');
		assert(r.readme, 'no readme container (.readme or #about)');
		assert(r.readmeScripts === 0, `${r.readmeScripts} script/iframe/object/embed/style element(s) in the readme`);
		assert(r.h1.includes('Evil <b>bold</b>'), `h1 is "${r.h1}"`);
		assert(r.text.includes('"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'),
		    'the description is not shown literally');
		assert(r.text.includes('normal link'), 'the readme\'s normal Markdown is missing');
	});

	await test(`${name}clicking every readme link runs nothing`, async () => {
		await page.goto(engine);
		const sel = '.readme a, #about a';
		const n = await page.locator(sel).count();
		const hrefs = [];
		for (let i = 0; i < n; i++) {
			await page.goto(engine);
			const a = page.locator(sel).nth(i);
			const href = await a.getAttribute('href');
			hrefs.push(href === '' ? '""' : href);
			await a.click({ noWaitAfter: true, timeout: 3000 }).catch(() => {});
			await page.waitForTimeout(150);
			await page.waitForLoadState('load').catch(() => {});
			const pwned = await page.evaluate(() => window.__pwned).catch(() => undefined);
			assert(pwned === undefined, `after clicking ${href}: window.__pwned is ${pwned}`);
		}
		assert(dialogs.length === 0, `dialogs opened: ${dialogs.join(', ')}`);
		return `${n} links: ${hrefs.join(' ')}`;
	});

	await test(`${name}every page of the hostile site is clean`, async () => {
		const files = htmlFiles(hostile.site);
		for (const f of files) {
			const rel = path.relative(hostile.site, f).split(path.sep).join('/');
			await page.goto(hbase + rel);
			check(await inspect(), rel);
		}
		assert(dialogs.length === 0, `dialogs opened: ${dialogs.join(', ')}`);
		return `${files.length} pages`;
	});

	await test(`${name}registry pages show the text, run nothing and give the known verdicts`, async () => {
		const texts = {};
		for (const p of REG_PAGES) {
			const resp = await page.goto(hbase + p);
			assert(resp && resp.status() === 200, `${p}: HTTP ${resp && resp.status()}`);
			const r = await inspect();
			check(r, p);
			texts[p] = r.text;
		}
		const want = [
			['frameworks.html', '<script>window.__pwned=3</script>'],
			['frameworks.html', 'Low <i>Latency</i>'],
			['frameworks.html', '"><img src=x onerror="window.__pwned=4">'],
			['frameworks.html', '</p><script>window.__pwned=6</script>'],
			['instances.html', 'NVIDIA <b>A10G</b>'],
			['models.html', '<b>evil</b>'],
		];
		for (const [p, t] of want)
			assert(texts[p].includes(t), `${p} does not show ${t} as text`);
		await page.goto(hbase + 'models.html');
		await page.locator('details.chat-template summary').first().click();
		const code = await page.locator('details.chat-template pre > code').first().innerText();
		assert(code.includes("</code></pre><script>window.__pwned=1</script>{{ m['content'] }}"),
		    `the chat template shows as "${code}"`);
		await page.goto(hbase + 'compatibility.html');
		const tables = await readMatrix(page);
		assert(tables.length === 1 && tables[0].rows.length === 4 && tables[0].cols.length === 4,
		    `expected one 4 x 4 table, got ${tables.map((t) => `${t.rows.length} x ${t.cols.length}`).join(', ')}`);
		const m = matrixMap(tables);
		const g5 = m.get('fw-vllm-0-5-0 inst-ml-g5-xlarge');
		const t4 = m.get('fw-vllm-0-5-0 inst-ml-g4dn-xlarge');
		const inf2 = m.get('fw-vllm-0-5-0 inst-ml-inf2-xlarge');
		assert(g5 && g5.yes && g5.version === '12.2', `vllm 0.5.0 on ml.g5.xlarge: ${JSON.stringify(g5)}`);
		assert(t4 && t4.no && /11\.8/.test(t4.title), `vllm 0.5.0 on ml.g4dn.xlarge: ${JSON.stringify(t4)}`);
		assert(inf2 && inf2.no && /cuda/.test(inf2.title) && /neuron/.test(inf2.title),
		    `vllm 0.5.0 on ml.inf2.xlarge: ${JSON.stringify(inf2)}`);
		assert(dialogs.length === 0, `dialogs opened: ${dialogs.join(', ')}`);
		return `ml.inf2.xlarge: "${inf2.title}"`;
	});

	await test(`${name}the container-registry page shows the text and runs nothing`, async () => {
		const resp = await page.goto(hbase + CR_PAGE);
		assert(resp && resp.status() === 200, `${CR_PAGE}: HTTP ${resp && resp.status()}`);
		const r = await inspect();
		check(r, CR_PAGE);
		for (const t of ['<script>window.__pwned=7</script>', '"><img src=x onerror="window.__pwned=8">',
			'</td><script>window.__pwned=9</script>', '<b>key</b>',
			'evil.example:5000/"><script>window.__pwned=10</script>/', '<script>window.__pwned=11</script>'])
			assert(r.text.includes(t), `${CR_PAGE} does not show ${t} as text`);
		const scripts = await page.locator('main script').count();
		assert(scripts === 0, `${scripts} script element(s) in main`);
		for (const b of await page.locator('button[data-tag]').all())
			await b.click();
		check(await inspect(), `${CR_PAGE} after the tag buttons`);
		assert(dialogs.length === 0, `dialogs opened: ${dialogs.join(', ')}`);
	});

	await test(`${name}deployment pages show the text, run nothing, publish no roleArn`, async () => {
		const files = [DEPLOY_PAGE, ...fs.readdirSync(path.join(hostile.site, 'deployments'))
		    .filter((f) => /^[0-9a-f]{16}\.html$/.test(f)).map((f) => `deployments/${f}`)];
		assert(files.length === 5, `${files.length} deployment pages, expected the table and 4`);
		const texts = {};
		for (const p of files) {
			const resp = await page.goto(hbase + p);
			assert(resp && resp.status() === 200, `${p}: HTTP ${resp && resp.status()}`);
			const r = await inspect();
			check(r, p);
			texts[p] = r.text;
			const scripts = await page.locator('main script').count();
			assert(scripts === 0, `${p}: ${scripts} script element(s) in main`);
			assert(!/123456789012|SageMakerRole/.test(await page.content()), `${p}: the roleArn is published`);
		}
		const evil = 'deployments/8e471408b4f8cf07.html';
		for (const t of ['"><script>window.__pwned=20</script><img src=x onerror="window.__pwned=22">',
			'</script><script>window.__pwned=21</script>', '***REDACTED***'])
			assert(texts[evil].includes(t), `${evil} does not show ${t} as text`);
		for (const p of [DEPLOY_PAGE, 'deployments/2ebd4544d44dbf01.html'])
			assert(texts[p].includes('sd"><script>window.__pwned=23</script>'), `${p} does not show the project name as text`);
		for (const t of ['img"><svg onload=window.__pwned=24>', '<i>local</i>'])
			assert(texts['deployments/2ebd4544d44dbf01.html'].includes(t), `the page does not show ${t} as text`);
		assert(texts['deployments/93636489d8a958d6.html'].includes('multi-line\nnotes & <b>tags</b>'),
		    'two-line notes are not shown as two lines of text');
		const json = fs.readFileSync(path.join(hostile.site, 'deployments.json'), 'utf8');
		assert(!/roleArn|123456789012/.test(json), 'deployments.json carries a roleArn');
		// Pages, and their compressed twins (FILE.html.gz).
		for (const f of fs.readdirSync(path.join(hostile.site, 'deployments')))
			assert(/^([0-9a-f]{16}|page-[0-9]+)\.html(\.gz)?$/.test(f), `deployments/${f}: not a page`);
		assert(dialogs.length === 0, `dialogs opened: ${dialogs.join(', ')}`);
		return `${files.length} pages`;
	});

	await deployTests(page, ctx, hbase, hostile.site, [hbase + 'index.html', hbase + 'frameworks.html'],
	    name, {
		'8e471408b4f8cf07': ['compatible', null],
		'512a588262f04e13': ['incompatible', /needs cuda; ml\.inf2\.xlarge has neuron/],
		'2ebd4544d44dbf01': ['unknown', null],
		'93636489d8a958d6': ['unknown', null],
	});

	await test(`${name}html-validate on the hostile site`, () => validate(hostile.site, ' (hostile)'));
}

/* ---- run, within a time limit ---------------------------------------------------- */

const limit = Number(process.env.BROWSER_TIMEOUT || 110) * 1000;
const timer = setTimeout(() => {
	failed++;
	console.log(`FAIL - the run took more than ${limit / 1000} s`);
	if (hostileTmp)
		fs.rmSync(hostileTmp, { recursive: true, force: true });
	console.log(`browser: ${passed} passed, ${failed} failed`);
	process.exit(1);
}, limit);
timer.unref();

main().then((code) => {
	if (code === 2) {
		process.exitCode = 2;
		return;
	}
	console.log(`browser: ${passed} passed, ${failed} failed`);
	process.exitCode = code;
}, (e) => {
	failed++;
	console.log(`FAIL - ${e && e.stack ? e.stack : e}`);
	console.log(`browser: ${passed} passed, ${failed} failed`);
	process.exitCode = 1;
});
