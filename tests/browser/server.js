'use strict';
/*
 * server.js - a tiny static file server for the browser tests.
 *
 * serve({'/registry/': '/path/to/site', ...}) listens on 127.0.0.1, port 0,
 * and resolves to {origin, close(), log}.  Each mount serves its folder
 * under that sub-path only, so a root-absolute link ("/assets/x.css")
 * fails as it would on a CDN sub-folder.  Directory paths are NOT mapped to
 * index.html: the catalog names index.html in every link, and this proves
 * it.  A missing file gets the mount's 404.html with status 404 (a plain
 * text 404 when there is none).  Every request is logged as {path, status}.
 */
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.json': 'application/json',
	'.xml': 'application/xml',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.txt': 'text/plain; charset=utf-8',
	'.woff2': 'font/woff2',
};

function typeOf(file) {
	return TYPES[path.extname(file).toLowerCase()] || 'text/plain; charset=utf-8';
}

/* The file for a URL path under a mount, or null when outside it. */
function resolve(dir, rel) {
	let p;
	try {
		p = decodeURIComponent(rel);
	} catch (e) {
		return null;
	}
	if (p.includes('\0'))
		return null;
	const full = path.resolve(dir, '.' + path.posix.normalize('/' + p));
	if (full !== dir && !full.startsWith(dir + path.sep))
		return null;
	return full;
}

function serve(mounts) {
	const log = [];
	const table = Object.entries(mounts).map(([prefix, dir]) => [prefix, path.resolve(dir)]);
	const server = http.createServer((req, res) => {
		const url = new URL(req.url, 'http://localhost');
		let status = 404, body = 'not found\n', type = 'text/plain; charset=utf-8';
		const m = table.find(([prefix]) => url.pathname.startsWith(prefix));
		if (m && (req.method === 'GET' || req.method === 'HEAD')) {
			const file = resolve(m[1], url.pathname.slice(m[0].length));
			let st = null;
			try {
				st = file && fs.statSync(file);
			} catch (e) {
				st = null;
			}
			if (st && st.isFile()) {
				status = 200;
				body = fs.readFileSync(file);
				type = typeOf(file);
			} else {
				const nf = path.join(m[1], '404.html');
				if (fs.existsSync(nf)) {
					body = fs.readFileSync(nf);
					type = TYPES['.html'];
				}
			}
		}
		log.push({ path: url.pathname, status });
		res.writeHead(status, {
			'Content-Type': type,
			'Content-Length': Buffer.byteLength(body),
			'Cache-Control': 'no-store',
		});
		res.end(req.method === 'HEAD' ? undefined : body);
	});
	return new Promise((ok, fail) => {
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			ok({
				origin: `http://127.0.0.1:${port}`,
				log,
				close: () => new Promise((done) => {
					server.closeAllConnections();
					server.close(() => done());
				}),
			});
		});
	});
}

/* GET a URL with node:http: resolves to {status, type, body (Buffer)}. */
function get(url) {
	return new Promise((ok, fail) => {
		const req = http.get(url, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => ok({
				status: res.statusCode,
				type: res.headers['content-type'] || '',
				body: Buffer.concat(chunks),
			}));
			res.on('error', fail);
		});
		req.on('error', fail);
		req.setTimeout(5000, () => req.destroy(new Error(`${url}: timed out`)));
	});
}

module.exports = { serve, get };
