// The course viewer: pick a patient, draw the course, show $outcomes beside it; a
// cohort view of one regimen's recovery days. Everything comes from the FHIR API with
// the signed-in user's token; nothing about any patient is in the page itself.

import { signIn, signOut, startSession } from './auth.js';
import { clockDay, drawCourse, drawDistribution, epochDay } from './chart.js';
import { FhirClient, param, params, partValue, value } from './fhir.js';

const main = document.getElementById('main');
const details = document.getElementById('details');
const detailsBody = document.getElementById('details-body');
const IG = 'http://hemefhir.org/fhir/StructureDefinition/';
const COHORT_LIMIT = 300;
const COHORT_PARALLEL = 4;

let session;
let client;
let current = new AbortController();

function h(tag, attributes = {}, ...children) {
	const node = document.createElement(tag);
	for (const [key, val] of Object.entries(attributes)) {
		if (val === undefined || val === null || val === false) {
			continue;
		}
		if (key.startsWith('on')) {
			node.addEventListener(key.slice(2), val);
		}
		else {
			node.setAttribute(key, val === true ? '' : String(val));
		}
	}
	for (const child of children.flat()) {
		if (child !== null && child !== undefined && child !== false) {
			node.append(child instanceof Node ? child : String(child));
		}
	}
	return node;
}

function loading(what) {
	return h('p', { class: 'loading', role: 'status' }, `Loading ${what}…`);
}

function failure(what, error) {
	return h('div', { class: 'error', role: 'alert' }, h('strong', {}, `${what}: `), h('span', { class: 'message' }, error.message));
}

function patientName(patient) {
	const name = (patient.name || [])[0];
	if (!name) {
		return `Patient/${patient.id}`;
	}
	return name.text || [...(name.given || []), name.family].filter(Boolean).join(' ') || `Patient/${patient.id}`;
}

// ---------------------------------------------------------------- session bar

function showSession() {
	const bar = document.getElementById('session');
	if (session.mode === 'off') {
		bar.replaceChildren(h('span', { class: 'session-off' }, 'Security is off on this server: no sign-in'));
		return;
	}
	if (!session.token) {
		bar.replaceChildren(h('button', { type: 'button', id: 'sign-in', onclick: () => signIn(session) }, 'Sign in'));
		return;
	}
	bar.replaceChildren(
		h('span', { id: 'signed-in-as' }, `Signed in as ${session.user}`),
		h('span', { class: 'scopes', id: 'granted-scopes', title: 'Scopes of the token' }, session.scope),
		h('button', { type: 'button', id: 'sign-out', onclick: () => { signOut(); location.hash = '#/'; location.reload(); } }, 'Sign out'));
}

function needsSignIn() {
	return session.mode === 'smart' && !session.token;
}

function signInPrompt() {
	main.replaceChildren(h('section', { class: 'sign-in' },
		h('h2', {}, 'Sign in'),
		session.error ? h('div', { class: 'error', role: 'alert' }, session.error) : null,
		h('p', {}, 'This server asks who you are before it shows any patient data. You sign in at the server\'s authorization server; the page then reads only what your account allows.'),
		h('button', { type: 'button', class: 'primary', onclick: () => signIn(session) }, 'Sign in')));
}

// ------------------------------------------------------------------- details

// where focus goes back to when the panel closes
let openedFrom = null;

function closeDetails() {
	details.hidden = true;
	if (openedFrom && openedFrom.isConnected) {
		openedFrom.focus();
	}
	openedFrom = null;
}

async function openResource(reference) {
	if (details.hidden) {
		openedFrom = document.activeElement;
	}
	details.hidden = false;
	document.getElementById('details-title').textContent = reference;
	detailsBody.replaceChildren(loading(reference));
	details.focus();
	try {
		const resource = await client.get(reference);
		const profiles = ((resource.meta && resource.meta.profile) || []).filter((p) => p.startsWith(IG));
		detailsBody.replaceChildren(
			profiles.length ? h('p', { class: 'profiles' }, 'Profile: ', ...profiles.map((p) => {
				const name = p.slice(IG.length).split('|')[0];
				return h('a', { href: `/ig/StructureDefinition-${name}.html`, class: 'profile-link' }, name);
			})) : h('p', {}, 'No HemeFHIR profile claimed'),
			h('pre', { class: 'resource-json', tabindex: 0, 'aria-label': `${reference} as JSON` }, JSON.stringify(resource, null, 2)));
	}
	catch (e) {
		detailsBody.replaceChildren(failure(`Cannot read ${reference}`, e));
	}
}

document.getElementById('details-close').addEventListener('click', closeDetails);
document.addEventListener('keydown', (e) => {
	if (e.key === 'Escape' && !details.hidden) {
		closeDetails();
	}
});

// -------------------------------------------------------------- patient list

async function showPicker(query) {
	const form = h('form', { class: 'picker', role: 'search' },
		h('label', { for: 'patient-query' }, 'Name or identifier'),
		h('input', { id: 'patient-query', name: 'q', type: 'search', value: query || '', autocomplete: 'off' }),
		h('button', { type: 'submit' }, 'Search'));
	const results = h('div', { id: 'patient-results', 'aria-live': 'polite' });
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		location.hash = `#/?q=${encodeURIComponent(form.q.value.trim())}`;
	});
	main.replaceChildren(h('section', {}, h('h2', {}, 'Patients'), form, results));
	if (session.patient) {
		results.append(h('p', {}, 'Your access is to one patient: ',
			h('a', { href: `#/patient/${encodeURIComponent(session.patient)}` }, `Patient/${session.patient}`)));
	}
	results.append(loading('patients'));
	try {
		const q = (query || '').trim();
		// a patient token opens one patient's record: a search of all patients is refused
		const searches = session.patient ? [`Patient?_id=${encodeURIComponent(session.patient)}`]
			: q ? [`Patient?name=${encodeURIComponent(q)}&_count=50`, `Patient?identifier=${encodeURIComponent(q)}&_count=50`]
				: ['Patient?_count=50&_sort=-_lastUpdated'];
		const answers = await Promise.all(searches.map((s) => client.get(s, { signal: current.signal })));
		const seen = new Map();
		for (const bundle of answers) {
			for (const entry of bundle.entry || []) {
				if (entry.resource && entry.resource.resourceType === 'Patient') {
					seen.set(entry.resource.id, entry.resource);
				}
			}
		}
		results.querySelector('.loading').remove();
		if (!seen.size) {
			results.append(h('p', { class: 'empty' }, q ? `No patient matches “${q}”.` : 'No patients that you may see.'));
			return;
		}
		results.append(h('ul', { class: 'patients' }, [...seen.values()].map((p) => h('li', {},
			h('a', { href: `#/patient/${encodeURIComponent(p.id)}`, class: 'patient-link', 'data-id': p.id }, patientName(p)),
			h('span', { class: 'meta' }, [p.gender, p.birthDate, ...(p.identifier || []).slice(0, 1).map((i) => i.value)].filter(Boolean).join(' · '))))));
	}
	catch (e) {
		if (e.message !== 'cancelled') {
			results.replaceChildren(failure('Cannot list patients', e));
		}
	}
}

// -------------------------------------------------------------------- course

function readOutcome(parameters, name) {
	return outcomeOf(param(parameters, name));
}

/** One outcome parameter of $outcomes, as the page shows it. */
function outcomeOf(p) {
	if (!p) {
		return null;
	}
	return {
		status: partValue(p, 'status'),
		date: partValue(p, 'date'),
		regimenDay: partValue(p, 'regimen-day'),
		transplantDay: partValue(p, 'transplant-day'),
		reason: partValue(p, 'reason'),
		rule: partValue(p, 'rule'),
		assumed: partValue(p, 'assumed'),
		sources: params(p, 'source').map((s) => value(s).reference),
		notes: params(p, 'note').map((n) => value(n)),
		specimen: partValue(p, 'specimen'),
	};
}

function outcomeView(title, outcome, id) {
	const block = h('div', { class: 'outcome', id, 'data-status': outcome ? outcome.status : 'absent' });
	block.append(h('h3', {}, title));
	if (!outcome) {
		block.append(h('p', {}, 'Not computed'));
		return block;
	}
	if (outcome.status === 'reached') {
		block.append(h('p', { class: 'outcome-value' },
			outcome.regimenDay !== undefined ? h('span', { class: 'day', 'data-day': outcome.regimenDay }, `Day ${outcome.regimenDay}`) : null,
			` ${outcome.date || ''}`,
			outcome.transplantDay !== undefined ? ` (transplant day ${outcome.transplantDay})` : '',
			outcome.assumed ? h('span', { class: 'assumed-flag' }, ' rests on an assumed value') : null));
	}
	else {
		block.append(h('p', { class: 'outcome-value not-reached' }, `Not reached${outcome.reason ? `: ${outcome.reason}` : ''}`));
	}
	if (outcome.sources.length) {
		block.append(h('p', { class: 'sources' }, 'From ', ...outcome.sources.map((s) => h('button', { type: 'button', class: 'link source', onclick: () => openResource(s) }, s))));
	}
	for (const note of outcome.notes) {
		block.append(h('p', { class: 'note' }, note));
	}
	return block;
}

function specimenLabel(coding) {
	const code = coding && coding.code;
	return { MAR: 'marrow', CSF: 'CSF' }[code] || (coding && (coding.display || code)) || 'specimen';
}

function donorDetails(procedure) {
	const ext = (resource, url) => (resource.extension || []).find((e) => e.url === IG + url);
	const sub = (e, url) => (e && e.extension || []).find((x) => x.url === url);
	const display = (concept) => concept && ((concept.coding || [])[0] || {}).display || (concept && concept.text);
	const rows = [];
	const hla = ext(procedure, 'hla-match');
	if (hla) {
		const ratio = sub(hla, 'matched-antigens');
		const type = sub(hla, 'donor-type');
		if (type) {
			rows.push(['Donor', display(type.valueCodeableConcept)]);
		}
		if (ratio && ratio.valueRatio) {
			rows.push(['HLA match', `${ratio.valueRatio.numerator.value}/${ratio.valueRatio.denominator.value}`]);
		}
	}
	const relation = ext(procedure, 'donor-relationship');
	if (relation) {
		rows.push(['Relationship', display(relation.valueCodeableConcept)]);
	}
	const cd34 = ext(procedure, 'cd34-dose');
	if (cd34 && cd34.valueQuantity) {
		rows.push(['CD34+ dose', `${cd34.valueQuantity.value} ${cd34.valueQuantity.unit || cd34.valueQuantity.code}`]);
	}
	const abo = ext(procedure, 'abo-compatibility');
	if (abo) {
		const of = (k) => sub(abo, k) && display(sub(abo, k).valueCodeableConcept);
		rows.push(['ABO', `donor ${of('donor') || '?'}, recipient ${of('recipient') || '?'}${of('mismatch') ? ` (${of('mismatch')})` : ''}`]);
	}
	const dsa = ext(procedure, 'donor-specific-antibodies');
	if (dsa) {
		rows.push(['Donor-specific antibodies', display(dsa.valueCodeableConcept)]);
	}
	return rows;
}

async function showCourse(patientId, options) {
	current.abort();
	current = new AbortController();
	const signal = current.signal;
	const view = h('section', { class: 'course' });
	const header = h('div', { class: 'course-head' }, h('h2', { id: 'patient-title' }, `Patient/${patientId}`));
	const controls = h('form', { class: 'controls', 'aria-label': 'Chart and outcome settings' });
	const chartBox = h('div', { class: 'chart', id: 'chart' }, loading('the course'));
	const outcomesBox = h('div', { class: 'outcomes', id: 'outcomes', 'aria-live': 'polite' }, loading('outcomes'));
	const transplantBox = h('div', { class: 'transplant-details', id: 'transplant' });
	view.append(header, controls, h('div', { class: 'course-body' }, h('div', { class: 'chart-column' }, chartBox, legend()), h('div', { class: 'side' }, outcomesBox, transplantBox)));
	main.replaceChildren(view);

	client.get(`Patient/${encodeURIComponent(patientId)}`, { signal }).then((patient) => {
		header.querySelector('h2').textContent = patientName(patient);
		header.append(h('p', { class: 'meta' }, [patient.gender, patient.birthDate, `Patient/${patient.id}`].filter(Boolean).join(' · ')));
	}, () => { /* the timeline's error says it */ });

	let timeline;
	try {
		timeline = await client.get(`Patient/${encodeURIComponent(patientId)}/$treatment-timeline?_format=json`, { accept: 'application/json', signal });
	}
	catch (e) {
		if (e.message !== 'cancelled') {
			chartBox.replaceChildren(failure('Cannot read the course', e));
			outcomesBox.replaceChildren();
		}
		return;
	}
	const state = {
		anchor: options.anchor || null,
		window: options.window || 'anchor',
		anc: options.anc ?? 1.0,
		platelets: options.platelets ?? 100,
		comparator: options.comparator || 'gt',
		outcomes: null,
	};
	const anchors = timeline.regimens.filter((r) => !['conditioning', 'supportive'].includes(r.phase)).map((r) => ({
		key: r.code || r.reference, kind: 'regimen', day: epochDay(r.start), label: `day 1 = ${r.label || r.code}`, code: r.code,
	}));
	if (timeline.transplant) {
		anchors.push({ key: 'transplant', kind: 'transplant', day: epochDay(timeline.transplant.date), label: 'transplant = day 0' });
	}

	const anchorSelect = h('select', { id: 'anchor', name: 'anchor' }, anchors.map((a) => h('option', { value: a.key }, a.label)));
	const windowSelect = h('select', { id: 'window', name: 'window' },
		h('option', { value: 'anchor' }, 'around the chosen day 1 (−14 to +100)'),
		h('option', { value: 'course' }, 'whole course'));
	const ancInput = h('input', { id: 'anc-threshold', name: 'anc', type: 'number', step: 'any', min: '0.01', max: '50', value: state.anc, inputmode: 'decimal' });
	const pltInput = h('input', { id: 'platelet-threshold', name: 'platelets', type: 'number', step: 'any', min: '0.01', max: '1000', value: state.platelets, inputmode: 'decimal' });
	const comparatorSelect = h('select', { id: 'comparator', name: 'comparator' },
		h('option', { value: 'gt' }, '> threshold'), h('option', { value: 'ge' }, '≥ threshold'));
	comparatorSelect.value = state.comparator;
	windowSelect.value = state.window;
	controls.append(
		h('label', {}, 'Treatment days: ', anchorSelect),
		h('label', {}, 'Show: ', windowSelect),
		h('label', {}, 'ANC recovery threshold (×10⁹/L): ', ancInput),
		h('label', {}, 'Platelet recovery threshold (×10⁹/L): ', pltInput),
		h('label', {}, 'Comparator: ', comparatorSelect));
	controls.addEventListener('submit', (e) => e.preventDefault());

	const chosenAnchor = () => anchors.find((a) => a.key === anchorSelect.value) || anchors[0] || null;
	const windowDays = () => {
		const anchor = chosenAnchor();
		if (windowSelect.value === 'anchor' && anchor) {
			return anchor.kind === 'transplant' ? { from: anchor.day - 30, to: anchor.day + 180 } : { from: anchor.day - 14, to: anchor.day + 100 };
		}
		const days = timeline.events.flatMap((e) => [epochDay(e.start), epochDay(e.end || e.start)]);
		return { from: Math.min(...days) - 5, to: Math.max(...days) + 5 };
	};
	const redraw = () => {
		if (!timeline.events.length) {
			chartBox.replaceChildren(h('p', { class: 'empty' }, 'Nothing on this patient\'s timeline.'));
			return;
		}
		const anchor = chosenAnchor();
		const o = state.outcomes;
		const recovered = (name) => {
			const r = o && readOutcome(o, name);
			return r && r.status === 'reached' && r.date ? { date: r.date, day: anchor ? clockDay(anchor, epochDay(r.date)) : undefined } : null;
		};
		drawCourse(chartBox, {
			timeline, anchor, window: windowDays(),
			thresholds: { anc: Number(ancInput.value), platelets: Number(pltInput.value) },
			recovery: { anc: recovered('neutrophil-recovery'), platelets: recovered('platelet-recovery') },
			onSelect: openResource,
		});
	};

	let asked = 0;
	const askOutcomes = async () => {
		const mine = ++asked;
		const anchor = chosenAnchor();
		const query = new URLSearchParams({
			'anc-threshold': ancInput.value, 'platelet-threshold': pltInput.value, comparator: comparatorSelect.value,
		});
		if (anchor && anchor.kind === 'regimen' && anchor.code) {
			query.set('regimen', anchor.code);
		}
		outcomesBox.setAttribute('aria-busy', 'true');
		outcomesBox.prepend(loading('outcomes'));
		try {
			const outcomes = await client.get(`Patient/${encodeURIComponent(patientId)}/$outcomes?${query}`, { signal });
			if (mine !== asked) {
				return;
			}
			state.outcomes = outcomes;
			const mrd = params(outcomes, 'mrd-conversion').map(outcomeOf);
			outcomesBox.replaceChildren(
				h('h2', {}, 'Outcomes'),
				h('p', { class: 'meta' }, 'From $outcomes; days of the chosen regimen.'),
				outcomeView(`Neutrophil recovery (ANC ${comparatorSelect.value === 'gt' ? '>' : '≥'} ${ancInput.value})`, readOutcome(outcomes, 'neutrophil-recovery'), 'outcome-anc'),
				outcomeView(`Platelet recovery (${comparatorSelect.value === 'gt' ? '>' : '≥'} ${pltInput.value})`, readOutcome(outcomes, 'platelet-recovery'), 'outcome-platelets'),
				...mrd.map((m) => outcomeView(`MRD conversion, ${specimenLabel(m.specimen)}`, m, `outcome-mrd-${(m.specimen && m.specimen.code) || 'other'}`)));
			redraw();
		}
		catch (e) {
			if (e.message !== 'cancelled' && mine === asked) {
				outcomesBox.replaceChildren(h('h2', {}, 'Outcomes'), failure('Cannot compute the outcomes', e));
			}
		}
		finally {
			outcomesBox.removeAttribute('aria-busy');
		}
	};

	// the regimen $outcomes counts from, unless one was chosen
	if (state.anchor && anchors.some((a) => a.key === state.anchor)) {
		anchorSelect.value = state.anchor;
	}
	else {
		// as $outcomes chooses: the latest regimen that starts a count of days
		const counting = timeline.regimens.filter((r) => !['conditioning', 'maintenance', 'supportive'].includes(r.phase));
		const latest = counting[counting.length - 1];
		const consolidation = latest && anchors.find((a) => a.key === (latest.code || latest.reference));
		if (consolidation) {
			anchorSelect.value = consolidation.key;
		}
	}
	let pending;
	const later = () => {
		clearTimeout(pending);
		pending = setTimeout(() => {
			if (controls.checkValidity()) {
				askOutcomes();
			}
			else {
				asked++;
				outcomesBox.replaceChildren(h('h2', {}, 'Outcomes'), h('div', { class: 'error', role: 'alert' },
					'Enter each threshold as a number above 0 to compute the outcomes.'));
			}
			redraw();
		}, 300);
	};
	anchorSelect.addEventListener('change', () => { redraw(); askOutcomes(); });
	windowSelect.addEventListener('change', redraw);
	for (const input of [ancInput, pltInput]) {
		input.addEventListener('input', later);
	}
	comparatorSelect.addEventListener('change', askOutcomes);
	// the chart fits its box: redrawn when the box's width changes (window, resource panel)
	let drawnWidth = chartBox.clientWidth;
	const resized = new ResizeObserver(() => {
		if (chartBox.clientWidth !== drawnWidth) {
			drawnWidth = chartBox.clientWidth;
			redraw();
		}
	});
	resized.observe(chartBox);
	signal.addEventListener('abort', () => resized.disconnect());
	redraw();
	askOutcomes();

	if (timeline.transplant) {
		transplantBox.replaceChildren(h('h2', {}, 'Transplant'), loading('the transplant'));
		try {
			const procedure = await client.get(timeline.transplant.reference, { signal });
			const chimerism = timeline.events.filter((e) => e.kind === 'chimerism');
			transplantBox.replaceChildren(h('h2', {}, 'Transplant'),
				h('dl', {}, h('dt', {}, 'Date'), h('dd', {}, h('button', { type: 'button', class: 'link', onclick: () => openResource(timeline.transplant.reference) }, timeline.transplant.date)),
					...donorDetails(procedure).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
					...chimerism.map((c) => [h('dt', {}, `Chimerism, day ${c.transplantDay ?? '?'}`), h('dd', {}, h('button', { type: 'button', class: 'link', onclick: () => openResource(c.resource) }, `${c.value ?? '?'} ${c.unit || ''} donor`))])));
		}
		catch (e) {
			if (e.message !== 'cancelled') {
				transplantBox.replaceChildren(h('h2', {}, 'Transplant'), failure('Cannot read the transplant', e));
			}
		}
	}
}

function legend() {
	const item = (cls, label) => h('li', {}, h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' }), label);
	return h('ul', { class: 'legend', 'aria-label': 'Legend' },
		item('anc', 'ANC'), item('platelets', 'Platelets'), item('transfusion', 'Transfusion'),
		item('growth-factor', 'G-CSF / rhTPO'), item('negative', 'MRD/CD38 negative (−)'), item('positive', 'positive (+)'),
		item('assumed', 'Hollow: assumed value, not stated by the source'),
		h('li', {}, 'Select any mark (click, or Tab then Enter) to see its resource.'));
}

// -------------------------------------------------------------------- cohort

async function showCohort(code, options) {
	current.abort();
	current = new AbortController();
	const signal = current.signal;
	const thresholds = {
		'anc-threshold': options['anc-threshold'] || '1.0',
		'platelet-threshold': options['platelet-threshold'] || '100',
		comparator: options.comparator === 'ge' ? 'ge' : 'gt',
	};
	const form = h('form', { class: 'picker controls' },
		h('label', { for: 'cohort-regimen' }, 'Regimen code'),
		h('input', { id: 'cohort-regimen', name: 'regimen', value: code || 'dara-va-haa', autocomplete: 'off', required: true }),
		h('label', { for: 'cohort-anc-threshold' }, 'ANC threshold (×10⁹/L)'),
		h('input', { id: 'cohort-anc-threshold', name: 'anc', type: 'number', step: 'any', min: '0.01', max: '50', value: thresholds['anc-threshold'] }),
		h('label', { for: 'cohort-platelet-threshold' }, 'Platelet threshold (×10⁹/L)'),
		h('input', { id: 'cohort-platelet-threshold', name: 'platelets', type: 'number', step: 'any', min: '0.01', max: '1000', value: thresholds['platelet-threshold'] }),
		h('label', { for: 'cohort-comparator' }, 'Comparator'),
		h('select', { id: 'cohort-comparator', name: 'comparator' }, h('option', { value: 'gt' }, '>'), h('option', { value: 'ge' }, '≥')),
		h('button', { type: 'submit' }, 'Show'));
	form.comparator.value = thresholds.comparator;
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		const query = new URLSearchParams({ 'anc-threshold': form.anc.value, 'platelet-threshold': form.platelets.value, comparator: form.comparator.value });
		location.hash = `#/cohort/${encodeURIComponent(form.regimen.value.trim())}?${query}`;
	});
	const status = h('p', { class: 'loading', role: 'status', id: 'cohort-status' });
	const anc = h('div', { id: 'cohort-anc' });
	const platelets = h('div', { id: 'cohort-platelets' });
	const table = h('div', { id: 'cohort-patients' });
	const members = h('div', { id: 'cohort-selection', 'aria-live': 'polite' });
	main.replaceChildren(h('section', { class: 'cohort' }, h('h2', {}, 'Cohort: recovery days by regimen'), form, status,
		h('div', { class: 'distributions' },
			h('figure', {}, h('figcaption', {}, 'Neutrophil recovery, regimen day'), anc),
			h('figure', {}, h('figcaption', {}, 'Platelet recovery, regimen day'), platelets)),
		members, table));
	if (!code) {
		status.textContent = 'Enter a regimen code (e.g. dara-va-haa, vdlp).';
		return;
	}
	status.textContent = 'Finding the regimen\'s patients…';
	let plans;
	try {
		plans = await client.searchAll(`CarePlan?regimen-code=${encodeURIComponent(code)}&_elements=subject&_count=100`, { limit: COHORT_LIMIT, signal });
	}
	catch (e) {
		if (e.message !== 'cancelled') {
			status.replaceWith(failure('Cannot search the regimen', e));
		}
		return;
	}
	const patients = [...new Set(plans.resources.map((p) => p.subject && p.subject.reference).filter(Boolean))].slice(0, COHORT_LIMIT);
	const rows = [];
	let done = 0;
	const draw = () => {
		const select = (chosen) => {
			members.replaceChildren(h('p', {}, `${chosen.length} patient(s): `, ...chosen.map((m) => h('a', { href: `#/patient/${encodeURIComponent(m.id)}`, class: 'patient-link' }, m.name))));
		};
		const reached = (key) => rows.filter((r) => r[key] !== undefined).map((r) => ({ day: r[key], id: r.id, name: r.name }));
		drawDistribution(anc, { title: 'Neutrophil recovery days', values: reached('anc'), notReached: rows.filter((r) => r.anc === undefined && !r.error).length, onSelect: select });
		drawDistribution(platelets, { title: 'Platelet recovery days', values: reached('platelets'), notReached: rows.filter((r) => r.platelets === undefined && !r.error).length, onSelect: select });
		table.replaceChildren(h('table', { class: 'cohort-table' },
			h('caption', {}, `${rows.length} of ${patients.length} patients${plans.truncated ? ` (the first ${COHORT_LIMIT})` : ''}`),
			h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Patient'), h('th', { scope: 'col' }, 'Neutrophil recovery'), h('th', { scope: 'col' }, 'Platelet recovery'))),
			h('tbody', {}, rows.map((r) => h('tr', { 'data-patient': r.id },
				h('th', { scope: 'row' }, h('a', { href: `#/patient/${encodeURIComponent(r.id)}`, class: 'patient-link' }, r.name)),
				h('td', {}, r.error ? r.error : r.anc !== undefined ? `day ${r.anc}` : 'not reached'),
				h('td', {}, r.error ? '' : r.platelets !== undefined ? `day ${r.platelets}` : 'not reached'))))));
	};
	if (!patients.length) {
		status.textContent = `No patient has a regimen coded ${code}.`;
		return;
	}
	// the same thresholds as the course view's defaults: the letter's > 1.0 and > 100
	const query = new URLSearchParams({ regimen: code, ...thresholds });
	const queue = [...patients];
	const worker = async () => {
		while (queue.length && !signal.aborted) {
			const reference = queue.shift();
			const id = reference.split('/').pop();
			const row = { id, name: reference };
			try {
				const outcomes = await client.get(`${reference}/$outcomes?${query}`, { signal });
				const n = readOutcome(outcomes, 'neutrophil-recovery');
				const p = readOutcome(outcomes, 'platelet-recovery');
				if (n && n.status === 'reached') {
					row.anc = n.regimenDay;
				}
				if (p && p.status === 'reached') {
					row.platelets = p.regimenDay;
				}
			}
			catch (e) {
				if (e.message === 'cancelled') {
					return;
				}
				row.error = e.message;
			}
			rows.push(row);
			done++;
			status.textContent = `${done} of ${patients.length} patients computed…`;
			if (done % 10 === 0 || done === patients.length) {
				draw();
			}
		}
	};
	await Promise.all(Array.from({ length: COHORT_PARALLEL }, worker));
	if (signal.aborted) {
		return;
	}
	status.textContent = `${patients.length} patients computed; reading their names…`;
	// names for the table, one search per 100 patients
	try {
		for (let i = 0; i < rows.length; i += 100) {
			const ids = rows.slice(i, i + 100).map((r) => r.id).join(',');
			const bundle = await client.get(`Patient?_id=${ids}&_count=100&_elements=name`, { signal });
			for (const entry of bundle.entry || []) {
				const row = rows.find((r) => r.id === entry.resource.id);
				if (row) {
					row.name = patientName(entry.resource);
				}
			}
		}
	}
	catch (e) {
		// ids stay as names
	}
	draw();
	status.textContent = `${patients.length} patients with regimen ${code}${plans.truncated ? ` (the first ${COHORT_LIMIT})` : ''}.`;
	status.classList.remove('loading');
}

// -------------------------------------------------------------------- routing

function route() {
	const hash = location.hash.replace(/^#/, '') || '/';
	const [path, query = ''] = hash.split('?');
	const options = Object.fromEntries(new URLSearchParams(query));
	details.hidden = true;
	if (needsSignIn()) {
		signInPrompt();
		return;
	}
	const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
	if (parts[0] === 'patient' && parts[1]) {
		showCourse(parts[1], {
			anchor: options.anchor, window: options.window, comparator: options.comparator,
			anc: options.anc ? Number(options.anc) : undefined, platelets: options.platelets ? Number(options.platelets) : undefined,
		});
	}
	else if (parts[0] === 'cohort') {
		showCohort(parts[1], options);
	}
	else {
		current.abort();
		current = new AbortController();
		showPicker(options.q);
	}
	main.focus({ preventScroll: true });
}

async function start() {
	try {
		session = await startSession();
	}
	catch (e) {
		main.replaceChildren(failure('The viewer cannot start', e));
		return;
	}
	client = new FhirClient(session.fhirBase, session.token, () => {
		signOut();
		session.token = null;
		session.error = 'Your sign-in has expired; sign in again.';
		showSession();
		signInPrompt();
	});
	showSession();
	if (session.patient && (location.hash === '' || location.hash === '#/')) {
		location.hash = `#/patient/${encodeURIComponent(session.patient)}`;
	}
	window.addEventListener('hashchange', route);
	route();
}

start();
