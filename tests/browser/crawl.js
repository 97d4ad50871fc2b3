'use strict';
/*
 * crawl.js - breadth-first link check of a served site.
 *
 * crawl(tabs, seeds, base) visits every HTML page reachable from the seed
 * URLs through a[href], link[href], script[src] and img[src], in the
 * browser (so the page's own base URL resolves relative links), and GETs
 * every other internal target with node:http.  base is the served root
 * ("http://127.0.0.1:PORT/registry/"): a same-origin URL outside it is a
 * broken link (a root-absolute path would break on a CDN sub-folder).
 * External http(s) links, mailto:, tel: and data: are skipped; a bare
 * "#fragment" is not fetched, but every fragment, same-page or not, must
 * name an id (or a[name]) on its target page.
 *
 * Resolves to {pages: [url], resources: Map url -> status, broken: [{url,
 * from, why}], fragments: [{url, from, why}], ids: Map pageUrl -> Set}.
 */
const { get } = require('./server');

const SKIP = /^(mailto|tel|data|blob|about):/i;

function stripHash(u) {
	const i = u.indexOf('#');
	return i < 0 ? u : u.slice(0, i);
}

async function crawl(tabs, seeds, base) {
	const origin = new URL(base).origin;
	const seen = new Set();		/* every internal target, no fragment */
	const queue = [];
	const pages = [];
	const resources = new Map();
	const broken = [];
	const frags = [];		/* {target, frag, from} */
	const ids = new Map();

	/* Decide what a target is: 200 or broken; HTML pages are queued. */
	async function consider(url, from) {
		if (seen.has(url))
			return;
		seen.add(url);
		if (!url.startsWith(base)) {
			broken.push({ url, from, why: 'outside the site folder' });
			return;
		}
		let r;
		try {
			r = await get(url);
		} catch (e) {
			broken.push({ url, from, why: String(e.message || e) });
			return;
		}
		resources.set(url, r.status);
		if (r.status !== 200) {
			broken.push({ url, from, why: `HTTP ${r.status}` });
			return;
		}
		if (/^text\/html/.test(r.type))
			queue.push(url);
	}

	for (const s of seeds)
		await consider(stripHash(s), '(start)');

	/* Several tabs take pages off the queue; a tab waits while others
	 * may still add to it. */
	let busy = 0;
	async function worker(page) {
		for (;;) {
			if (!queue.length) {
				if (!busy)
					return;
				await new Promise((r) => setTimeout(r, 10));
				continue;
			}
			const url = queue.shift();
			busy++;
			try {
				await visit(page, url);
			} finally {
				busy--;
			}
		}
	}

	async function visit(page, url) {
		const resp = await page.goto(url, { waitUntil: 'load' });
		if (!resp || resp.status() !== 200) {
			broken.push({ url, from: '(visit)', why: `HTTP ${resp ? resp.status() : 'none'}` });
			return;
		}
		pages.push(url);
		const found = await page.evaluate(() => {
			const out = [];
			const take = (sel, attr, prop) => {
				document.querySelectorAll(sel).forEach((el) => {
					const raw = el.getAttribute(attr);
					if (raw !== null)
						out.push({ raw: raw.trim(), abs: el[prop] || '', tag: el.tagName.toLowerCase() });
				});
			};
			take('a[href]', 'href', 'href');
			take('link[href]', 'href', 'href');
			take('script[src]', 'src', 'src');
			take('img[src]', 'src', 'src');
			const ids = [];
			document.querySelectorAll('[id]').forEach((el) => ids.push(el.id));
			document.querySelectorAll('a[name]').forEach((el) => ids.push(el.getAttribute('name')));
			return { refs: out, ids };
		});
		ids.set(url, new Set(found.ids));
		for (const ref of found.refs) {
			if (ref.raw === '' || ref.raw === '#')
				continue;
			if (SKIP.test(ref.raw) || /^javascript:/i.test(ref.raw))
				continue;
			let abs;
			try {
				abs = new URL(ref.abs || ref.raw, url);
			} catch (e) {
				broken.push({ url: ref.raw, from: url, why: 'not a URL' });
				continue;
			}
			if (abs.protocol !== 'http:' && abs.protocol !== 'https:')
				continue;
			if (abs.origin !== origin)
				continue;		/* external */
			const target = stripHash(abs.href);
			if (abs.hash.length > 1)
				frags.push({ target, frag: decodeURIComponent(abs.hash.slice(1)), from: url, raw: ref.raw });
			if (ref.raw.startsWith('#'))
				continue;
			await consider(target, url);
		}
	}

	await Promise.all(tabs.map(worker));
	pages.sort();

	const fragments = [];
	for (const f of frags) {
		const set = ids.get(f.target);
		if (!set)
			fragments.push({ url: f.raw, from: f.from, why: 'fragment on a page that is not HTML or was not crawled' });
		else if (!set.has(f.frag))
			fragments.push({ url: f.raw, from: f.from, why: `no id "${f.frag}" on ${f.target}` });
	}
	return { pages, resources, broken, fragments, ids };
}

module.exports = { crawl };
