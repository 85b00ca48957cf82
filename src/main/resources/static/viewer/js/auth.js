// SMART App Launch, standalone: authorization code with PKCE (S256) against the
// server's authorization server, or none when security is off. The token is kept in
// sessionStorage only: it goes when the tab closes.

const STORE = 'hemefhir.viewer.session';
const PENDING = 'hemefhir.viewer.pending';

function base64url(bytes) {
	let text = '';
	for (const b of bytes) {
		text += String.fromCharCode(b);
	}
	return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(length) {
	const bytes = new Uint8Array(length);
	crypto.getRandomValues(bytes);
	return base64url(bytes);
}

async function challengeOf(verifier) {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
	return base64url(new Uint8Array(digest));
}

function claimsOf(token) {
	try {
		const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
		return JSON.parse(decodeURIComponent(escape(atob(payload))));
	}
	catch (e) {
		return {};
	}
}

function redirectUri() {
	return `${location.origin}/viewer/`;
}

async function json(url, options) {
	const response = await fetch(url, options);
	const text = await response.text();
	let body = {};
	try {
		body = text ? JSON.parse(text) : {};
	}
	catch (e) {
		body = {};
	}
	if (!response.ok) {
		const said = body.error_description || body.error || `${response.status} ${response.statusText}`;
		throw new Error(said);
	}
	return body;
}

/**
 * The viewer's session: {mode: 'off'} or {mode: 'smart', token, scope, patient, user,
 * expiresAt} or {mode: 'smart', token: null, error} when not signed in.
 */
export async function startSession() {
	const config = await json('/viewer/config.json', { headers: { Accept: 'application/json' } });
	const fhirBase = config.fhirBase || '/fhir';
	if (config.security !== 'smart') {
		return { mode: 'off', fhirBase, config };
	}
	const smart = await json(`${fhirBase.replace(/\/+$/, '')}/.well-known/smart-configuration`,
		{ headers: { Accept: 'application/json' } });
	const session = { mode: 'smart', fhirBase, config, smart, token: null };
	const query = new URLSearchParams(location.search);
	if (query.has('code') || query.has('error')) {
		// back from the authorization server: the query is used once, then removed
		history.replaceState(null, '', redirectUri() + location.hash);
		const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
		sessionStorage.removeItem(PENDING);
		if (query.has('error')) {
			session.error = `Sign-in refused: ${query.get('error_description') || query.get('error')}`;
			return session;
		}
		if (!pending || pending.state !== query.get('state')) {
			session.error = 'Sign-in answer does not belong to this page (state differs); sign in again';
			return session;
		}
		try {
			const token = await json(smart.token_endpoint, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
				body: new URLSearchParams({
					grant_type: 'authorization_code',
					code: query.get('code'),
					redirect_uri: redirectUri(),
					client_id: config.clientId,
					code_verifier: pending.verifier,
				}),
			});
			const claims = claimsOf(token.access_token);
			const stored = {
				token: token.access_token,
				scope: token.scope || claims.scope || '',
				patient: token.patient || claims.patient || null,
				user: claims.sub || '',
				expiresAt: Date.now() + 1000 * (token.expires_in || 300),
			};
			sessionStorage.setItem(STORE, JSON.stringify(stored));
			if (pending.hash) {
				location.hash = pending.hash;
			}
		}
		catch (e) {
			session.error = `Sign-in failed: ${e.message}`;
			return session;
		}
	}
	const stored = JSON.parse(sessionStorage.getItem(STORE) || 'null');
	if (stored && stored.expiresAt > Date.now() + 5000) {
		Object.assign(session, stored);
	}
	return session;
}

/** Off to the authorization server; comes back to this page with a code. */
export async function signIn(session) {
	const verifier = randomText(48);
	const state = randomText(24);
	sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
	const query = new URLSearchParams({
		response_type: 'code',
		client_id: session.config.clientId,
		redirect_uri: redirectUri(),
		scope: session.config.scope,
		state,
		aud: new URL(session.fhirBase, location.href).href,
		code_challenge: await challengeOf(verifier),
		code_challenge_method: 'S256',
	});
	location.assign(`${session.smart.authorization_endpoint}?${query}`);
}

export function signOut() {
	sessionStorage.removeItem(STORE);
	sessionStorage.removeItem(PENDING);
}
