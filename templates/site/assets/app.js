/*
 * app.js - progressive enhancement for the catalog.  Every page works
 * without it; with it:
 *   - the home page's search box and os/arch/accelerator filters narrow
 *     the engine cards (search text from window.GEN_SEARCH when present),
 *   - the engine page's filters narrow the download tables' rows,
 *   - the container-registry page's tag buttons narrow its cards,
 *   - the deployments page's filters narrow its table's rows,
 *   - copy buttons copy a checksum, a command or a whole file.
 * No libraries, no network, no inline styles: only classes and the
 * hidden attribute change.
 */
(function () {
	'use strict';

	var doc = document;

	/* Display names for the filter menus (values stay as they are). */
	var NAMES = {
		linux: 'Linux', macos: 'macOS', windows: 'Windows',
		aarch64: 'arm64 (aarch64)', x86_64: 'x86-64', arm64: 'arm64',
		cpu: 'CPU', cuda: 'CUDA', rocm: 'ROCm', metal: 'Metal',
		vulkan: 'Vulkan', sycl: 'SYCL', opencl: 'OpenCL', directml: 'DirectML'
	};

	function all(sel, root) {
		var r = root || doc;
		if (!r || typeof r.querySelectorAll !== 'function')
			return [];
		return Array.prototype.slice.call(r.querySelectorAll(sel));
	}

	function one(sel, root) {
		var r = root || doc;
		if (!r || typeof r.querySelector !== 'function')
			return null;
		return r.querySelector(sel);
	}

	function words(s) {
		return typeof s === 'string' ? s.toLowerCase().split(/\s+/).filter(Boolean) : [];
	}

	function plural(n, one1, many) {
		return n + ' ' + (n === 1 ? one1 : many);
	}

	/* Flatten any JSON-ish value into lower-case search text. */
	function flat(v, depth) {
		if (v == null || depth > 4)
			return '';
		if (typeof v === 'string' || typeof v === 'number')
			return String(v).toLowerCase();
		if (Array.isArray(v))
			return v.map(function (x) { return flat(x, depth + 1); }).join(' ');
		if (typeof v === 'object')
			return Object.keys(v).map(function (k) { return flat(v[k], depth + 1); }).join(' ');
		return '';
	}

	/* A polite live region for messages that have no place on the page. */
	var announcer = null;
	function announce(text) {
		if (!doc.body)
			return;
		if (!announcer) {
			announcer = doc.createElement('div');
			announcer.className = 'vh';
			announcer.setAttribute('role', 'status');
			announcer.setAttribute('aria-live', 'polite');
			doc.body.appendChild(announcer);
		}
		announcer.textContent = '';
		window.setTimeout(function () { announcer.textContent = text; }, 50);
	}

	/* Query-string state, so a filtered view can be shared. */
	function readParams() {
		try {
			return new URLSearchParams(window.location.search);
		} catch (e) {
			return null;
		}
	}

	function writeParams(state) {
		try {
			var p = new URLSearchParams();
			Object.keys(state).forEach(function (k) {
				if (state[k])
					p.set(k, state[k]);
			});
			var qs = p.toString();
			var url = window.location.pathname + (qs ? '?' + qs : '') + window.location.hash;
			window.history.replaceState(null, '', url);
		} catch (e) {
			/* file:// or a sandbox may refuse: the filters still work. */
		}
	}

	/* Search text for each engine id, from window.GEN_SEARCH if usable. */
	function searchIndex() {
		var idx = Object.create(null);
		var data = window.GEN_SEARCH;
		var list = data && typeof data === 'object' && Array.isArray(data.engines) ? data.engines : [];
		list.forEach(function (e) {
			if (!e || typeof e !== 'object' || typeof e.id !== 'string')
				return;
			idx[e.id] = [e.id, e.name, e.description, e.latestVersion,
				e.formats, e.platforms, e.versions, e.images]
				.map(function (x) { return flat(x, 0); }).join(' ');
		});
		return idx;
	}

	/*
	 * The filters: a [data-filters] toolbar (hidden until this runs) with
	 * select[data-filter=os|arch|accel], maybe input[data-search], and
	 * [data-reset] buttons.  data-filters="cards" narrows .card items,
	 * "rows" narrows tr[data-os] in the page's tables.
	 */
	function setupFilters(bar) {
		var mode = bar.getAttribute('data-filters');
		var items = mode === 'cards' ? all('.card[data-os]') : all('tr[data-os]');
		if (!items.length)
			return;
		var selects = all('select[data-filter]', bar);
		var search = one('input[data-search]', bar);
		var resets = all('[data-reset]');
		var count = mode === 'cards' ? one('#result-count') : one('[data-count]', bar);
		var empty = mode === 'cards' ? one('#no-match') : null;
		var index = mode === 'cards' ? searchIndex() : null;
		/* The count is about the bar's own section (the latest version). */
		var scope = mode === 'rows' && typeof bar.closest === 'function' ? bar.closest('section') : null;
		var counted = scope ? items.filter(function (it) { return scope.contains(it); }) : items;
		if (!counted.length)
			counted = items;
		var timer = 0;

		selects.forEach(function (sel) {
			all('option', sel).forEach(function (o) {
				if (o.value && NAMES[o.value] && o.textContent === o.value)
					o.textContent = NAMES[o.value];
			});
		});

		function state() {
			var s = {};
			if (search)
				s.q = search.value.trim();
			selects.forEach(function (sel) {
				s[sel.getAttribute('data-filter')] = sel.value;
			});
			return s;
		}

		function hasWord(list, w) {
			return !w || words(list).indexOf(w) >= 0;
		}

		/* A card matches when one of its platforms has every chosen value. */
		function cardPlatforms(card) {
			var chips = all('[data-platform]', card);
			chips.forEach(function (c) { c.classList.remove('is-match'); });
			return chips;
		}

		function matchCard(card, s) {
			var any = s.os || s.arch || s.accel;
			if (any) {
				var chips = cardPlatforms(card);
				if (chips.length) {
					var hit = false;
					chips.forEach(function (c) {
						var p = words(c.getAttribute('data-platform'));
						if ((!s.os || p[0] === s.os) && (!s.arch || p[1] === s.arch) &&
						    (!s.accel || p[2] === s.accel)) {
							c.classList.add('is-match');
							hit = true;
						}
					});
					if (!hit)
						return false;
				} else if (!hasWord(card.getAttribute('data-os'), s.os) ||
				    !hasWord(card.getAttribute('data-arch'), s.arch) ||
				    !hasWord(card.getAttribute('data-accel'), s.accel)) {
					return false;
				}
			} else {
				cardPlatforms(card);
			}
			var q = words(s.q);
			if (!q.length)
				return true;
			var id = card.getAttribute('data-id') || '';
			var hay = (index && index[id] ? index[id] + ' ' : '') +
			    (card.textContent || '').toLowerCase() + ' ' +
			    [card.getAttribute('data-os'), card.getAttribute('data-arch'),
			     card.getAttribute('data-accel')].join(' ').toLowerCase();
			return q.every(function (w) { return hay.indexOf(w) >= 0; });
		}

		function matchRow(tr, s) {
			return (!s.os || tr.getAttribute('data-os') === s.os) &&
			    (!s.arch || tr.getAttribute('data-arch') === s.arch) &&
			    (!s.accel || tr.getAttribute('data-accel') === s.accel);
		}

		function apply(announceIt) {
			var s = state();
			var shown = 0;
			items.forEach(function (it) {
				var ok = mode === 'cards' ? matchCard(it, s) : matchRow(it, s);
				it.hidden = !ok;
				if (ok && counted.indexOf(it) >= 0)
					shown++;
			});
			var active = Object.keys(s).some(function (k) { return !!s[k]; });
			var noun = mode === 'cards' ? ['engine', 'engines'] : ['package', 'packages'];
			var msg;
			if (!active)
				msg = plural(counted.length, noun[0], noun[1]);
			else if (shown === 0)
				msg = 'No ' + noun[1] + ' match';
			else
				msg = shown + ' of ' + plural(counted.length, noun[0], noun[1]);
			if (mode === 'rows')
				markEmptyTables();
			if (empty)
				empty.hidden = shown !== 0;
			resets.forEach(function (b) {
				if (bar.contains(b))
					b.disabled = !active;
			});
			writeParams(s);
			if (!count)
				return;
			window.clearTimeout(timer);
			if (announceIt) {
				timer = window.setTimeout(function () { count.textContent = msg; }, 250);
			} else {
				count.textContent = msg;
			}
		}

		/* Engine page: a table whose rows are all filtered out says so. */
		function markEmptyTables() {
			all('table').forEach(function (t) {
				var rows = all('tr[data-os]', t);
				if (!rows.length)
					return;
				var visible = rows.some(function (r) { return !r.hidden; });
				var note = t.nextElementSibling;
				if (!note || !note.classList.contains('filter-empty')) {
					if (visible)
						return;
					note = doc.createElement('p');
					note.className = 'filter-empty none-text';
					note.textContent = 'No package of this version matches the filters.';
					if (t.parentNode)
						t.parentNode.insertBefore(note, t.nextSibling);
				}
				note.hidden = visible;
			});
		}

		var params = readParams();
		if (params) {
			if (search && params.get('q'))
				search.value = params.get('q');
			selects.forEach(function (sel) {
				var v = params.get(sel.getAttribute('data-filter'));
				if (v && all('option', sel).some(function (o) { return o.value === v; }))
					sel.value = v;
			});
		}

		selects.forEach(function (sel) {
			sel.addEventListener('change', function () { apply(true); });
		});
		if (search) {
			search.addEventListener('input', function () { apply(true); });
			search.addEventListener('keydown', function (ev) {
				if (ev.key === 'Escape' && search.value) {
					search.value = '';
					apply(true);
				}
			});
			/* "/" focuses the search box, as on many catalogs. */
			doc.addEventListener('keydown', function (ev) {
				var t = ev.target;
				var tag = t && t.tagName ? t.tagName.toLowerCase() : '';
				if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey ||
				    tag === 'input' || tag === 'select' || tag === 'textarea' ||
				    (t && t.isContentEditable))
					return;
				ev.preventDefault();
				search.focus();
			});
		}
		resets.forEach(function (b) {
			b.addEventListener('click', function () {
				if (search)
					search.value = '';
				selects.forEach(function (sel) { sel.value = ''; });
				apply(true);
				var target = search || selects[0];
				if (target)
					target.focus();
			});
		});

		bar.hidden = false;
		apply(false);
	}

	/*
	 * Tag buttons: a [data-tag-filters] toolbar (hidden until this runs)
	 * of button[data-tag] (aria-pressed; "" is every tag) narrowing the
	 * .card[data-tags] items to those carrying the tag.  ?tag= keeps it.
	 */
	function setupTagFilters(bar) {
		var items = all('.card[data-tags]');
		var buttons = all('button[data-tag]', bar);
		if (!items.length || !buttons.length)
			return;
		var count = one('#cr-count');
		var empty = one('#cr-no-match');
		var timer = 0;

		function apply(tag, announceIt) {
			var shown = 0;
			buttons.forEach(function (b) {
				b.setAttribute('aria-pressed', b.getAttribute('data-tag') === tag ? 'true' : 'false');
			});
			items.forEach(function (it) {
				var ok = !tag || words(it.getAttribute('data-tags')).indexOf(tag) >= 0;
				it.hidden = !ok;
				if (ok)
					shown++;
			});
			if (empty)
				empty.hidden = shown !== 0;
			writeParams({ tag: tag });
			var msg = !tag ? plural(items.length, 'registry', 'registries') :
			    shown + ' of ' + plural(items.length, 'registry', 'registries') + ' tagged ' + tag;
			if (!count)
				return;
			window.clearTimeout(timer);
			if (announceIt)
				timer = window.setTimeout(function () { count.textContent = msg; }, 250);
			else
				count.textContent = msg;
		}

		buttons.forEach(function (b) {
			b.addEventListener('click', function () { apply(b.getAttribute('data-tag'), true); });
		});
		var params = readParams();
		var want = params ? params.get('tag') || '' : '';
		if (!buttons.some(function (b) { return b.getAttribute('data-tag') === want; }))
			want = '';
		bar.hidden = false;
		apply(want, false);
	}

	/*
	 * Table filters: a [data-table-filters] toolbar (hidden until this
	 * runs) of select[data-filter=K] and [data-reset] buttons, narrowing
	 * the rows of the table whose id the attribute names to those whose
	 * data-K is the chosen value.  The toolbar's data-count and
	 * data-empty name the count line and the "no match" box.  ?K=value
	 * keeps the choice, and the links of a nav.pager carry it to the
	 * table's other pages.
	 */
	function setupTableFilters(bar) {
		var table = doc.getElementById(bar.getAttribute('data-table-filters'));
		var rows = table ? all('tbody tr', table) : [];
		var selects = all('select[data-filter]', bar);
		if (!rows.length || !selects.length)
			return;
		var count = doc.getElementById(bar.getAttribute('data-count') || '');
		var empty = doc.getElementById(bar.getAttribute('data-empty') || '');
		var resets = all('[data-reset]');
		var pager = all('nav.pager a[href]');
		var noun = [bar.getAttribute('data-noun') || 'row', bar.getAttribute('data-nouns') || 'rows'];
		var timer = 0;

		function state() {
			var s = {};
			selects.forEach(function (sel) {
				s[sel.getAttribute('data-filter')] = sel.value;
			});
			return s;
		}

		function apply(announceIt) {
			var s = state();
			var keys = Object.keys(s).filter(function (k) { return !!s[k]; });
			var shown = 0;
			rows.forEach(function (tr) {
				var ok = keys.every(function (k) { return tr.getAttribute('data-' + k) === s[k]; });
				tr.hidden = !ok;
				if (ok)
					shown++;
			});
			if (empty)
				empty.hidden = shown !== 0;
			if (table.parentNode)
				table.parentNode.hidden = shown === 0;
			resets.forEach(function (b) {
				if (bar.contains(b))
					b.disabled = !keys.length;
			});
			writeParams(s);
			var qs = window.location.search;
			pager.forEach(function (a) {
				var h = a.getAttribute('href').replace(/\?.*$/, '');
				a.setAttribute('href', h + (keys.length ? qs : ''));
			});
			var msg = !keys.length ? plural(rows.length, noun[0], noun[1]) :
			    shown === 0 ? 'No ' + noun[1] + ' match' :
			    shown + ' of ' + plural(rows.length, noun[0], noun[1]);
			if (!count)
				return;
			window.clearTimeout(timer);
			if (announceIt)
				timer = window.setTimeout(function () { count.textContent = msg; }, 250);
			else
				count.textContent = msg;
		}

		var params = readParams();
		if (params) {
			selects.forEach(function (sel) {
				var v = params.get(sel.getAttribute('data-filter'));
				if (v && all('option', sel).some(function (o) { return o.value === v; }))
					sel.value = v;
			});
		}
		selects.forEach(function (sel) {
			sel.addEventListener('change', function () { apply(true); });
		});
		resets.forEach(function (b) {
			b.addEventListener('click', function () {
				selects.forEach(function (sel) { sel.value = ''; });
				apply(true);
				selects[0].focus();
			});
		});
		bar.hidden = false;
		apply(false);
	}

	/* Copying: the async clipboard API, else a selected textarea. */
	function fallbackCopy(text, back) {
		var ta = doc.createElement('textarea');
		ta.value = text;
		ta.setAttribute('readonly', '');
		ta.setAttribute('aria-hidden', 'true');
		ta.setAttribute('tabindex', '-1');
		ta.className = 'vh';
		doc.body.appendChild(ta);
		var ok = false;
		try {
			ta.select();
			ta.setSelectionRange(0, text.length);
			ok = doc.execCommand('copy');
		} catch (e) {
			ok = false;
		}
		doc.body.removeChild(ta);
		if (back && typeof back.focus === 'function')
			back.focus();
		return ok;
	}

	function copyText(text, back) {
		var clip = navigator.clipboard;
		if (clip && typeof clip.writeText === 'function') {
			try {
				return clip.writeText(text).then(function () { return true; },
				    function () { return fallbackCopy(text, back); });
			} catch (e) {
				/* fall through */
			}
		}
		return Promise.resolve(fallbackCopy(text, back));
	}

	function setupCopy(btn) {
		var label = btn.textContent;
		var timer = 0;
		btn.addEventListener('click', function () {
			var text = btn.getAttribute('data-copy');
			if (text == null) {
				var id = btn.getAttribute('data-copy-target');
				var el = id ? doc.getElementById(id) : null;
				text = el ? el.textContent : null;
			}
			if (text == null)
				return;
			copyText(text, btn).then(function (ok) {
				window.clearTimeout(timer);
				btn.textContent = ok ? 'Copied' : 'Copy failed';
				btn.classList.toggle('is-copied', !!ok);
				announce(ok ? 'Copied to the clipboard' : 'Could not copy: select the text and copy it by hand');
				timer = window.setTimeout(function () {
					btn.textContent = label;
					btn.classList.remove('is-copied');
				}, 2000);
			});
		});
		btn.hidden = false;
	}

	function init() {
		all('[data-filters]').forEach(setupFilters);
		all('[data-tag-filters]').forEach(setupTagFilters);
		all('[data-table-filters]').forEach(setupTableFilters);
		all('button.copy').forEach(function (b) {
			if (b.hasAttribute('data-copy') || b.hasAttribute('data-copy-target'))
				setupCopy(b);
		});
	}

	if (doc.readyState === 'loading')
		doc.addEventListener('DOMContentLoaded', init);
	else
		init();
}());
