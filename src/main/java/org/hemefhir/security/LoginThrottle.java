package org.hemefhir.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed sign-ins counted per username and per client address: after {@link #perUsername}
 * failures for one username, or {@link #perAddress} from one address, within
 * {@link #window}, further attempts are refused until the window has passed since the
 * first failure. The counters live in one map of at most {@link #capacity} entries, the
 * least recently touched dropped first, so guessing usernames cannot grow memory.
 */
final class LoginThrottle {

	private record Failures(long since, int count) {
	}

	private final int perUsername;

	private final int perAddress;

	private final long window;

	private final int capacity;

	private final LongSupplier clock;

	private final Map<String, Failures> failures;

	LoginThrottle(int perUsername, int perAddress, Duration window, int capacity, LongSupplier clock) {
		this.perUsername = perUsername;
		this.perAddress = perAddress;
		this.window = window.toNanos();
		this.capacity = capacity;
		this.clock = clock;
		this.failures = new LinkedHashMap<>(64, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
				return size() > LoginThrottle.this.capacity;
			}
		};
	}

	/** Five tries per username and fifty per address in fifteen minutes. */
	static LoginThrottle standard() {
		return new LoginThrottle(5, 50, Duration.ofMinutes(15), 10_000, System::nanoTime);
	}

	/** Whether an attempt for this username from this address is refused now. */
	synchronized boolean refused(String username, String address) {
		return over(userKey(username), perUsername) || over(addressKey(address), perAddress);
	}

	synchronized void failed(String username, String address) {
		count(userKey(username));
		count(addressKey(address));
	}

	synchronized void succeeded(String username) {
		failures.remove(userKey(username));
	}

	synchronized int size() {
		return failures.size();
	}

	private boolean over(String key, int limit) {
		Failures seen = failures.get(key);
		if (seen == null) {
			return false;
		}
		if (clock.getAsLong() - seen.since() > window) {
			failures.remove(key);
			return false;
		}
		return seen.count() >= limit;
	}

	private void count(String key) {
		long now = clock.getAsLong();
		Failures seen = failures.get(key);
		failures.put(key, seen == null || now - seen.since() > window ? new Failures(now, 1)
				: new Failures(seen.since(), seen.count() + 1));
	}

	private static String userKey(String username) {
		String name = username == null ? "" : username;
		// a username is short; longer input is someone else's problem, not the map's
		return "u:" + (name.length() > 128 ? name.substring(0, 128) : name);
	}

	private static String addressKey(String address) {
		return "a:" + address;
	}

}
