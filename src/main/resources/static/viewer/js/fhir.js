// Requests to the server's FHIR API: the bearer token when signed in, a time limit,
// and errors turned into the OperationOutcome's own words.

const TIME_LIMIT_MS = 30000;

export class FhirError extends Error {
	constructor(message, status) {
		super(message);
		this.status = status;
	}
}

/** What an OperationOutcome says, with where ("Observation.value[x]: ..."). */
export function outcomeText(outcome) {
	const issues = (outcome && outcome.issue) || [];
	const lines = issues.map((issue) => {
		const where = (issue.expression && issue.expression[0]) || (issue.location && issue.location[0]);
		const said = issue.diagnostics || (issue.details && issue.details.text) || issue.code || 'error';
		return where ? `${where}: ${said}` : said;
	});
	return lines.join('\n');
}

export class FhirClient {
	/**
	 * @param base the FHIR base URL, e.g. /fhir
	 * @param token a bearer token, or null when security is off
	 * @param onUnauthorized called when the server refuses the token (expired)
	 */
	constructor(base, token, onUnauthorized) {
		this.base = base.replace(/\/+$/, '');
		this.token = token;
		this.onUnauthorized = onUnauthorized;
	}

	url(path) {
		return /^https?:/.test(path) ? path : `${this.base}/${path.replace(/^\/+/, '')}`;
	}

	/** GET a FHIR resource or plain JSON; rejects with a FhirError that says why. */
	async get(path, { accept = 'application/fhir+json', signal } = {}) {
		const limit = new AbortController();
		const timer = setTimeout(() => limit.abort(), TIME_LIMIT_MS);
		const abort = () => limit.abort();
		if (signal) {
			if (signal.aborted) {
				limit.abort();
			}
			signal.addEventListener('abort', abort, { once: true });
		}
		const headers = { Accept: accept };
		if (this.token) {
			headers.Authorization = `Bearer ${this.token}`;
		}
		let response;
		try {
			response = await fetch(this.url(path), { headers, signal: limit.signal, credentials: 'omit' });
		}
		catch (e) {
			if (signal && signal.aborted) {
				throw new FhirError('cancelled', 0);
			}
			throw new FhirError(limit.signal.aborted
				? `The server did not answer within ${TIME_LIMIT_MS / 1000} s` : `The server cannot be reached (${e.message})`, 0);
		}
		finally {
			clearTimeout(timer);
			if (signal) {
				signal.removeEventListener('abort', abort);
			}
		}
		const text = await response.text();
		let body = null;
		try {
			body = text ? JSON.parse(text) : null;
		}
		catch (e) {
			body = null;
		}
		if (!response.ok) {
			if (response.status === 401 && this.onUnauthorized) {
				this.onUnauthorized();
			}
			const said = body && body.resourceType === 'OperationOutcome' ? outcomeText(body) : '';
			throw new FhirError(said || `${response.status} ${response.statusText}`, response.status);
		}
		if (body === null) {
			throw new FhirError('The server answered with something that is not JSON', response.status);
		}
		return body;
	}

	/** Every resource of a search, following next links up to a limit. */
	async searchAll(path, { limit = 500, signal } = {}) {
		const resources = [];
		let next = path;
		let truncated = false;
		while (next) {
			const bundle = await this.get(next, { signal });
			for (const entry of bundle.entry || []) {
				if (entry.resource && (!entry.search || entry.search.mode !== 'outcome')) {
					resources.push(entry.resource);
				}
			}
			const link = (bundle.link || []).find((l) => l.relation === 'next');
			next = link ? link.url : null;
			if (next && resources.length >= limit) {
				truncated = true;
				next = null;
			}
		}
		return { resources, truncated };
	}
}

/** Parameters helpers for $outcomes. */
export function param(parameters, name) {
	return ((parameters && (parameters.parameter || parameters.part)) || []).find((p) => p.name === name);
}

export function params(parameters, name) {
	return ((parameters && (parameters.parameter || parameters.part)) || []).filter((p) => p.name === name);
}

export function value(part) {
	if (!part) {
		return undefined;
	}
	for (const key of Object.keys(part)) {
		if (key.startsWith('value')) {
			return part[key];
		}
	}
	return undefined;
}

export function partValue(parameters, name) {
	return value(param(parameters, name));
}
