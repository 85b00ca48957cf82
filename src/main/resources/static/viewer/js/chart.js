// The course chart: plain SVG drawn from $treatment-timeline's JSON. Dates on the top
// axis, treatment days on the bottom one; every drawn result is a focusable element that
// carries its resource, date, day and value (data-* attributes) and opens the resource.

const SVG = 'http://www.w3.org/2000/svg';
const DAY_MS = 86400000;

// Okabe-Ito: distinguishable with the common colour-vision deficiencies
export const COLOURS = {
	anc: '#0072B2',
	platelets: '#D55E00',
	regimen: '#56B4E9',
	conditioning: '#CC79A7',
	maintenance: '#009E73',
	transfusion: '#D55E00',
	growthFactor: '#009E73',
	negative: '#009E73',
	positive: '#D55E00',
	threshold: '#555555',
	transplant: '#000000',
	grade: ['#999999', '#F0E442', '#E69F00', '#D55E00', '#CC79A7', '#000000'],
};

const ANC_CODES = new Set(['751-8', '26499-4']);
const PLATELET_CODES = new Set(['777-3', '26515-7']);
const SPECIMENS = { MAR: 'marrow', CSF: 'CSF', BLD: 'blood', PB: 'blood' };
const GROWTH_FACTORS = /g-csf|rhtpo|filgrastim|pegfilgrastim|thrombopoietin|romiplostim|eltrombopag/i;

export function epochDay(date) {
	const [y, m, d] = date.slice(0, 10).split('-').map(Number);
	return Date.UTC(y, (m || 1) - 1, d || 1) / DAY_MS;
}

export function isoDate(day) {
	return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The day on the chosen clock: regimen day 1 = first day, no day 0; transplant day 0. */
export function clockDay(anchor, day) {
	if (!anchor) {
		return null;
	}
	const d = day - anchor.day;
	return anchor.kind === 'transplant' || d < 0 ? d : d + 1;
}

function el(tag, attributes = {}, ...children) {
	const node = document.createElementNS(SVG, tag);
	for (const [key, val] of Object.entries(attributes)) {
		if (val !== undefined && val !== null && val !== false) {
			node.setAttribute(key, String(val));
		}
	}
	for (const child of children) {
		node.append(child);
	}
	return node;
}

function text(x, y, content, attributes = {}) {
	const node = el('text', { x, y, ...attributes });
	node.textContent = content;
	return node;
}

function codeOf(event) {
	return (event.code && event.code.code) || '';
}

function specimenName(code) {
	return SPECIMENS[code] || code || 'specimen not given';
}

/** Packs intervals into rows so that none overlaps another in its row. */
function pack(items, gap = 2) {
	const rows = [];
	for (const item of items) {
		let row = rows.findIndex((end) => end + gap <= item.from);
		if (row < 0) {
			row = rows.length;
			rows.push(-Infinity);
		}
		rows[row] = item.to;
		item.row = row;
	}
	return rows.length;
}

function mrdState(event) {
	const code = event.valueCode && event.valueCode.code;
	if (code === 'NEG' || code === 'ND') {
		return 'negative';
	}
	if (code === 'POS' || code === 'DET') {
		return 'positive';
	}
	if (event.value !== undefined) {
		return Number(event.value) === 0 ? 'negative' : 'positive';
	}
	return 'unknown';
}

function shortResponse(event) {
	const display = (event.valueCode && (event.valueCode.display || event.valueCode.code)) || event.label;
	const code = event.valueCode && event.valueCode.code;
	if (!code) {
		return display;
	}
	return code.replace(/-mrd-neg$/, ' MRD−').replace(/-mrd-pos$/, ' MRD+').toUpperCase().replace('MRD', 'MRD');
}

/**
 * Draws the course into container.
 *
 * @param options.timeline $treatment-timeline JSON
 * @param options.anchor {kind: 'regimen'|'transplant', day, label}
 * @param options.window {from, to} epoch days shown
 * @param options.thresholds {anc, platelets} the adjustable outcome thresholds
 * @param options.recovery {anc: {day, date}, platelets: {...}} from $outcomes
 * @param options.onSelect called with an event's resource reference
 */
export function drawCourse(container, options) {
	const { timeline, anchor, window: shown, thresholds, recovery, onSelect } = options;
	const width = Math.max(container.clientWidth || 960, 720);
	const left = 150;
	const right = 24;
	const plot = width - left - right;
	const x = (day) => left + ((day - shown.from) / (shown.to - shown.from)) * plot;
	const visible = (from, to = from) => to >= shown.from && from <= shown.to;
	const events = timeline.events.filter((e) => visible(epochDay(e.start), epochDay(e.end || e.start)));

	const svg = el('svg', {
		class: 'course-chart', role: 'group', width, 'aria-label': 'Treatment course chart',
		'data-window-from': isoDate(shown.from), 'data-window-to': isoDate(shown.to),
	});
	const lanes = [];
	let y = 34;
	const lane = (name, height) => {
		const top = y;
		lanes.push({ name, top, height });
		y += height;
		return top;
	};

	// interactive marks: keyboard and pointer open the resource
	const mark = (node, event, label) => {
		node.setAttribute('tabindex', '0');
		node.setAttribute('role', 'button');
		node.setAttribute('aria-label', label);
		node.classList.add('mark');
		node.dataset.resource = event.resource;
		node.dataset.date = event.date;
		if (event.assumed) {
			node.classList.add('assumed');
			node.dataset.assumed = 'true';
		}
		const day = event.precision === 'day' ? clockDay(anchor, epochDay(event.start)) : null;
		if (day !== null) {
			node.dataset.day = day;
		}
		const title = el('title');
		title.textContent = label + (event.assumed ? ' (assumed value: not stated by the source)' : '');
		node.append(title);
		const open = () => onSelect(event.resource);
		node.addEventListener('click', open);
		node.addEventListener('keydown', (e) => {
			if (e.key === 'Enter' || e.key === ' ') {
				e.preventDefault();
				open();
			}
		});
		return node;
	};
	const dayText = (event) => {
		const day = event.precision === 'day' ? clockDay(anchor, epochDay(event.start)) : null;
		return day === null ? event.date : `${event.date}, day ${day}`;
	};

	// regimens as bars, each until its end, else the next regimen's start
	const regimens = timeline.regimens.map((r, i) => {
		const next = timeline.regimens[i + 1];
		const from = epochDay(r.start);
		const to = r.end ? epochDay(r.end) : next ? Math.max(from, epochDay(next.start) - 1) : from + 27;
		return { ...r, from, to };
	}).filter((r) => visible(r.from, r.to));
	const regimenRows = Math.max(1, pack(regimens.map((r) => r)));
	const regimenTop = lane('Regimens', regimenRows * 24 + 6);
	for (const r of regimens) {
		const x0 = Math.max(left, x(r.from));
		const x1 = Math.min(left + plot, x(r.to + 1));
		const colour = COLOURS[r.phase] || COLOURS.regimen;
		const g = el('g', { class: 'regimen', 'data-code': r.code || '' });
		g.append(el('rect', { x: x0, y: regimenTop + 3 + r.row * 24, width: Math.max(2, x1 - x0), height: 20, rx: 3, fill: colour, 'fill-opacity': 0.35, stroke: colour }));
		const label = text(x0 + 4, regimenTop + 17 + r.row * 24, r.label || r.code || 'regimen', { class: 'bar-label' });
		g.append(label);
		svg.append(mark(g, { resource: r.reference, date: r.start, precision: 'day', start: r.start }, `Regimen ${r.label || r.code}, from ${r.start}${r.end ? ` to ${r.end}` : ''}`));
	}

	// blood counts
	const countPanel = (name, codes, unitLabel, fixedLines, threshold, recovered, colour, kind) => {
		const points = events.filter((e) => e.kind === 'blood-count' && codes.has(codeOf(e)) && e.value !== undefined)
			.map((e) => ({ e, day: epochDay(e.start), v: Number(e.value) }));
		const height = 150;
		const top = lane(name, height + 10);
		const max = Math.max(...points.map((p) => p.v), ...fixedLines, threshold || 0) * 1.15 || 1;
		const yOf = (v) => top + height - (v / max) * (height - 10);
		svg.append(el('line', { x1: left, x2: left + plot, y1: top + height, y2: top + height, class: 'axis-line' }));
		for (const v of [0, max / 2, max].map((v) => Math.round(v * 10) / 10)) {
			svg.append(text(left - 6, yOf(v) + 4, String(v), { class: 'tick', 'text-anchor': 'end' }));
		}
		svg.append(text(8, top + 16, name, { class: 'lane-label' }));
		svg.append(text(8, top + 32, unitLabel, { class: 'lane-unit' }));
		for (const line of fixedLines) {
			svg.append(el('line', { x1: left, x2: left + plot, y1: yOf(line), y2: yOf(line), class: 'threshold', 'data-threshold': line }));
			svg.append(text(left + plot - 2, yOf(line) - 3, `${line}`, { class: 'threshold-label', 'text-anchor': 'end' }));
		}
		if (threshold !== undefined && threshold !== null && !fixedLines.includes(threshold)) {
			svg.append(el('line', { x1: left, x2: left + plot, y1: yOf(threshold), y2: yOf(threshold), class: 'threshold chosen', 'data-threshold': threshold }));
		}
		if (threshold !== undefined && threshold !== null) {
			svg.append(text(left + 4, yOf(threshold) - 3, `recovery threshold ${threshold}`, { class: 'threshold-label chosen' }));
		}
		if (points.length > 1) {
			const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.day).toFixed(1)},${yOf(p.v).toFixed(1)}`).join(' ');
			svg.append(el('path', { d: path, fill: 'none', stroke: colour, 'stroke-width': 2, class: `curve ${kind}` }));
		}
		for (const p of points) {
			const label = `${name} ${p.v} ${unitLabel} on ${dayText(p.e)}`;
			const dot = el('circle', { cx: x(p.day), cy: yOf(p.v), r: 5, fill: p.e.assumed ? '#ffffff' : colour, stroke: colour, 'stroke-width': 2, class: `point ${kind}`, 'data-value': p.v, 'data-kind': kind });
			svg.append(mark(dot, p.e, label));
		}
		if (recovered && recovered.date && visible(epochDay(recovered.date))) {
			const rx = x(epochDay(recovered.date));
			svg.append(el('line', { x1: rx, x2: rx, y1: top + 4, y2: top + height, class: 'recovery-line', 'data-kind': kind }));
			svg.append(text(rx + 4, top + 14, `recovered${recovered.day !== undefined ? ` day ${recovered.day}` : ''}`, { class: 'recovery-label' }));
		}
		if (!points.length) {
			svg.append(text(left + 8, top + height / 2, 'no results in this window', { class: 'empty' }));
		}
	};
	countPanel('ANC', ANC_CODES, '×10⁹/L', [0.5, 1.0], thresholds.anc, recovery.anc, COLOURS.anc, 'anc');
	countPanel('Platelets', PLATELET_CODES, '×10⁹/L', [20, 100], thresholds.platelets, recovery.platelets, COLOURS.platelets, 'platelets');

	// support: transfusions and growth factors
	const supportTop = lane('Support', 34);
	svg.append(text(8, supportTop + 20, 'Transfusions, G-CSF, rhTPO', { class: 'lane-label small' }));
	const support = events.filter((e) => e.kind === 'transfusion'
		|| (e.kind === 'administration' && GROWTH_FACTORS.test(`${codeOf(e)} ${e.label}`)));
	const stackAt = new Map();
	for (const e of support) {
		const day = epochDay(e.start);
		const n = stackAt.get(day) || 0;
		stackAt.set(day, n + 1);
		const cx = x(day) + n * 9;
		const cy = supportTop + 16;
		const transfusion = e.kind === 'transfusion';
		const shape = transfusion
			? el('path', { d: `M${cx},${cy - 7} L${cx + 6},${cy + 6} L${cx - 6},${cy + 6} Z`, fill: e.assumed ? '#fff' : COLOURS.transfusion, stroke: COLOURS.transfusion, class: 'support transfusion' })
			: el('rect', { x: cx - 5, y: cy - 5, width: 10, height: 10, fill: e.assumed ? '#fff' : COLOURS.growthFactor, stroke: COLOURS.growthFactor, class: 'support growth-factor' });
		svg.append(mark(shape, e, `${transfusion ? 'Transfusion' : 'Growth factor'}: ${e.label}, ${dayText(e)}`));
	}

	// MRD and CD38 by specimen
	const results = events.filter((e) => e.kind === 'mrd' || e.kind === 'immunophenotype');
	const rows = [];
	for (const e of results) {
		const key = `${e.kind}|${e.specimen || ''}`;
		if (!rows.includes(key)) {
			rows.push(key);
		}
	}
	rows.sort();
	for (const key of rows) {
		const [kind, specimen] = key.split('|');
		const top = lane(key, 26);
		svg.append(text(8, top + 17, `${kind === 'mrd' ? 'MRD' : 'CD38'} · ${specimenName(specimen)}`, { class: 'lane-label small' }));
		for (const e of results.filter((r) => `${r.kind}|${r.specimen || ''}` === key)) {
			const cx = x(epochDay(e.start));
			const cy = top + 13;
			const state = mrdState(e);
			const colour = state === 'negative' ? COLOURS.negative : state === 'positive' ? COLOURS.positive : COLOURS.threshold;
			const said = e.valueCode ? (e.valueCode.display || e.valueCode.code) : e.value !== undefined ? `${e.value} ${e.unit || ''}`.trim() : (e.status || 'no value');
			const paint = { stroke: colour, 'stroke-width': 2, fill: e.assumed ? '#ffffff' : colour };
			const shape = kind === 'mrd'
				? el('circle', { cx, cy, r: 7, ...paint })
				: el('rect', { x: cx - 6, y: cy - 6, width: 12, height: 12, ...paint });
			const g = el('g', { class: `result ${e.kind}`, 'data-kind': e.kind, 'data-specimen': specimen, 'data-state': state }, shape);
			g.append(text(cx, cy + 4, state === 'negative' ? '−' : state === 'positive' ? '+' : '?', { class: 'glyph', 'text-anchor': 'middle' }));
			svg.append(mark(g, e, `${kind === 'mrd' ? 'MRD' : 'CD38'} (${specimenName(specimen)}) ${said}, ${dayText(e)}`));
		}
	}

	// responses as labels
	const responses = events.filter((e) => e.kind === 'response');
	if (responses.length) {
		const top = lane('Responses', 40);
		svg.append(text(8, top + 20, 'Responses', { class: 'lane-label small' }));
		responses.forEach((e, i) => {
			const cx = x(epochDay(e.start));
			const label = shortResponse(e);
			const g = el('g', { class: 'response' });
			g.append(el('line', { x1: cx, x2: cx, y1: top + 2, y2: top + 38, class: 'response-tick' }));
			g.append(text(cx + 3, top + 14 + (i % 2) * 16, label, { class: 'response-label' }));
			svg.append(mark(g, e, `Response ${e.valueCode ? e.valueCode.display || label : label}, ${dayText(e)}`));
		});
	}

	// adverse events: bars over the period they are known to (a month, a day)
	const adverse = events.filter((e) => e.kind === 'adverse-event').map((e) => ({
		e, from: epochDay(e.start), to: epochDay(e.end || e.start),
	}));
	if (adverse.length) {
		const rowsUsed = pack(adverse.map((a) => ({ a, from: x(a.from), to: x(a.to + 1) + 160 })).map((item) => {
			item.a.item = item;
			return item;
		}), 4);
		const top = lane('Adverse events', rowsUsed * 18 + 6);
		svg.append(text(8, top + 14, 'Adverse events', { class: 'lane-label small' }));
		svg.append(text(8, top + 28, '(CTCAE grade)', { class: 'lane-unit' }));
		for (const a of adverse) {
			const row = a.item.row;
			const x0 = Math.max(left, x(a.from));
			const x1 = Math.min(left + plot, x(a.to + 1));
			const grade = a.e.grade || 0;
			const colour = COLOURS.grade[Math.min(grade, 5)];
			const g = el('g', { class: 'adverse-event', 'data-grade': grade });
			// an assumed grade or date: the grade's colour, faded, with a dashed outline
			g.append(el('rect', { x: x0, y: top + 4 + row * 18, width: Math.max(4, x1 - x0), height: 12, fill: colour, 'fill-opacity': a.e.assumed ? 0.35 : 1, stroke: '#333', 'stroke-width': a.e.assumed ? 1 : 0.5 }));
			g.append(text(x1 + 3, top + 14 + row * 18, `G${grade || '?'} ${a.e.label}`, { class: 'ae-label' }));
			svg.append(mark(g, a.e, `Adverse event ${a.e.label}, CTCAE grade ${grade || 'not given'}, ${a.e.precision === 'day' ? dayText(a.e) : `in ${a.e.date}`}`));
		}
	}

	// transplant and chimerism
	const chimerism = events.filter((e) => e.kind === 'chimerism');
	const transplant = timeline.transplant;
	if (transplant || chimerism.length) {
		const top = lane('Transplant', 30);
		svg.append(text(8, top + 19, 'Transplant, chimerism', { class: 'lane-label small' }));
		for (const e of chimerism) {
			const cx = x(epochDay(e.start));
			const g = el('g', { class: 'chimerism', 'data-value': e.value });
			g.append(el('circle', { cx, cy: top + 15, r: 6, fill: e.assumed ? '#fff' : COLOURS.maintenance, stroke: COLOURS.maintenance }));
			g.append(text(cx + 9, top + 19, `${e.value ?? '?'}${e.unit === '%' ? '%' : ''} donor`, { class: 'small-label' }));
			svg.append(mark(g, e, `Donor chimerism ${e.value ?? 'no value'} ${e.unit || ''}, ${dayText(e)}`));
		}
	}
	if (transplant && visible(epochDay(transplant.date))) {
		const tx = x(epochDay(transplant.date));
		const event = timeline.events.find((e) => e.resource === transplant.reference) || { resource: transplant.reference, date: transplant.date, start: transplant.date, precision: 'day' };
		const g = el('g', { class: 'transplant' });
		g.append(el('line', { x1: tx, x2: tx, y1: 30, y2: y, class: 'transplant-line' }));
		g.append(text(tx + 4, 30, 'allo-HSCT (day 0)', { class: 'transplant-label' }));
		svg.append(mark(g, event, `Allogeneic stem-cell transplant on ${transplant.date}`));
	}

	// axes: dates above, treatment days below
	const span = shown.to - shown.from;
	const step = span > 400 ? 60 : span > 150 ? 30 : span > 60 ? 14 : 7;
	svg.append(text(8, 18, 'Date', { class: 'lane-label small' }));
	const bottom = y + 6;
	svg.append(text(8, bottom + 18, 'Treatment day', { class: 'lane-label small' }));
	if (anchor) {
		svg.append(text(8, bottom + 30, anchor.label, { class: 'lane-unit' }));
	}
	for (let day = Math.ceil(shown.from / step) * step; day <= shown.to; day += step) {
		svg.append(el('line', { x1: x(day), x2: x(day), y1: 24, y2: bottom, class: 'grid' }));
		svg.append(text(x(day), 18, isoDate(day), { class: 'tick', 'text-anchor': 'middle' }));
	}
	if (anchor) {
		const first = clockDay(anchor, shown.from);
		const dayStep = step;
		for (let d = Math.ceil(first / dayStep) * dayStep; ; d += dayStep) {
			const day = anchor.kind === 'transplant' || d <= 0 ? anchor.day + d : anchor.day + d - 1;
			if (day > shown.to) {
				break;
			}
			if (day >= shown.from && !(anchor.kind !== 'transplant' && d === 0)) {
				svg.append(text(x(day), bottom + 18, String(d), { class: 'tick day-tick', 'text-anchor': 'middle' }));
			}
		}
		if (visible(anchor.day)) {
			svg.append(text(x(anchor.day), bottom + 18, anchor.kind === 'transplant' ? '0' : '1', { class: 'tick day-tick', 'text-anchor': 'middle' }));
		}
	}
	svg.setAttribute('height', bottom + 36);
	svg.setAttribute('viewBox', `0 0 ${width} ${bottom + 36}`);
	container.replaceChildren(svg);
	return svg;
}

/** A histogram of days: bars of counts, each bin listing its patients. */
export function drawDistribution(container, { title, values, notReached, onSelect }) {
	const width = Math.max(container.clientWidth || 600, 480);
	const height = 180;
	const left = 40;
	const svg = el('svg', { class: 'distribution', width, height: height + 40, viewBox: `0 0 ${width} ${height + 40}`, role: 'group', 'aria-label': title });
	if (!values.length) {
		svg.append(text(left, 40, 'No patient reached this outcome', { class: 'empty' }));
		container.replaceChildren(svg);
		return;
	}
	const min = Math.min(...values.map((v) => v.day));
	const max = Math.max(...values.map((v) => v.day));
	const binWidth = Math.max(1, Math.ceil((max - min + 1) / 25));
	const bins = new Map();
	for (const v of values) {
		const bin = min + Math.floor((v.day - min) / binWidth) * binWidth;
		if (!bins.has(bin)) {
			bins.set(bin, []);
		}
		bins.get(bin).push(v);
	}
	const count = Math.ceil((max - min + 1) / binWidth);
	const barWidth = (width - left - 10) / count;
	const top = Math.max(...[...bins.values()].map((b) => b.length));
	for (const [bin, members] of bins) {
		const h = (members.length / top) * (height - 20);
		const bx = left + ((bin - min) / binWidth) * barWidth;
		const label = binWidth === 1 ? `day ${bin}` : `days ${bin}–${bin + binWidth - 1}`;
		const rect = el('rect', { x: bx + 1, y: height - h, width: Math.max(2, barWidth - 2), height: h, class: 'bar', 'data-bin': bin, 'data-count': members.length, tabindex: 0, role: 'button', 'aria-label': `${members.length} patient(s) recovered on ${label}` });
		const t = el('title');
		t.textContent = `${label}: ${members.map((m) => m.name).join(', ')}`;
		rect.append(t);
		if (barWidth >= 26 || binWidth > 1) {
			svg.append(text(bx + barWidth / 2, height + 16, String(bin), { class: 'tick', 'text-anchor': 'middle' }));
		}
		svg.append(text(bx + barWidth / 2, height - h - 3, String(members.length), { class: 'tick', 'text-anchor': 'middle' }));
		rect.addEventListener('click', () => onSelect(members));
		rect.addEventListener('keydown', (e) => {
			if (e.key === 'Enter' || e.key === ' ') {
				e.preventDefault();
				onSelect(members);
			}
		});
		svg.append(rect);
	}
	svg.append(el('line', { x1: left, x2: width - 10, y1: height, y2: height, class: 'axis-line' }));
	svg.append(text(left, height + 34, `${values.length} reached (days ${min} to ${max}), ${notReached} not reached`, { class: 'lane-unit' }));
	container.replaceChildren(svg);
}
