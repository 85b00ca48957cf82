package org.hemefhir.ingest.hl7v2;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.hemefhir.ingest.Hl7v2Sender;

/**
 * The laboratory systems the MLLP listener accepts ({@code hemefhir.hl7v2.mllp.senders}),
 * checked at start: each has a name and addresses, and no address belongs to two of them,
 * so every connection is attributed to exactly one sender. None configured: any address,
 * attributed to {@value Hl7v2Sender#ANONYMOUS}.
 */
final class MllpSenders {

	private static final String PROPERTY = "hemefhir.hl7v2.mllp.senders";

	private static final String IPV4 = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";

	private static final String IP = IPV4 + "(\\." + IPV4 + "){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*";

	/** One configured sender, resolved. */
	record Sender(String name, List<Range> ranges, String certificateSubject) {

		/**
		 * Whether a connection may go on with this verified client certificate subject
		 * (null: no certificate).
		 */
		boolean accepts(X500Principal subject) {
			if (certificateSubject == null) {
				return true;
			}
			if (subject == null) {
				return false;
			}
			if (certificateSubject.contains("=")) {
				// X500Principal equality ignores case and spacing, as DN comparison
				// should
				return new X500Principal(certificateSubject).equals(subject);
			}
			return commonNames(subject).stream().anyMatch(certificateSubject::equalsIgnoreCase);
		}

		boolean contains(InetAddress address) {
			return ranges.stream().anyMatch(r -> r.contains(address));
		}

	}

	/** An address ({@code prefix} all its bits) or a CIDR range. */
	record Range(byte[] network, int prefix) {

		boolean contains(InetAddress address) {
			return sharesPrefix(network, address.getAddress(), prefix);
		}

		boolean overlaps(Range other) {
			return sharesPrefix(network, other.network, Math.min(prefix, other.prefix));
		}

		private static boolean sharesPrefix(byte[] a, byte[] b, int bits) {
			if (a.length != b.length) {
				return false;
			}
			for (int i = 0; i < bits; i++) {
				int mask = 0x80 >>> (i % 8);
				if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
					return false;
				}
			}
			return true;
		}

	}

	private final List<Sender> senders;

	private MllpSenders(List<Sender> senders) {
		this.senders = List.copyOf(senders);
	}

	/** Any address, attributed to the anonymous sender. */
	static MllpSenders anyone() {
		return new MllpSenders(List.of());
	}

	static MllpSenders of(List<Hl7v2Properties.Sender> configured) {
		List<Sender> senders = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < configured.size(); i++) {
			Hl7v2Properties.Sender sender = configured.get(i);
			String property = PROPERTY + "[" + i + "]";
			if (sender.name() == null || sender.name().isBlank()) {
				throw new IllegalStateException(property + ".name: every sender needs a name");
			}
			String name = sender.name().trim();
			if (!names.add(name.toLowerCase(Locale.ROOT))) {
				throw new IllegalStateException(property + ".name: '" + name + "' is given to two senders");
			}
			if (sender.addresses() == null || sender.addresses().isEmpty()) {
				throw new IllegalStateException(property + ".addresses: list the IP addresses of '" + name + "'");
			}
			List<Range> ranges = new ArrayList<>();
			for (String address : sender.addresses()) {
				Range range = range(address, property + ".addresses");
				for (Sender other : senders) {
					if (other.ranges().stream().anyMatch(range::overlaps)) {
						throw new IllegalStateException(property + ".addresses: '" + address.trim()
								+ "' is also an address of '" + other.name() + "': a connection must name one sender");
					}
				}
				ranges.add(range);
			}
			senders.add(new Sender(name, ranges, subject(sender.certificateSubject(), property)));
		}
		return new MllpSenders(senders);
	}

	boolean isEmpty() {
		return senders.isEmpty();
	}

	/** Whether any sender's certificate subject must be checked. */
	boolean checkCertificates() {
		return senders.stream().anyMatch(s -> s.certificateSubject() != null);
	}

	/** The sender connecting from {@code address}; empty: refuse the connection. */
	Optional<Sender> at(InetAddress address) {
		if (senders.isEmpty()) {
			return Optional.of(new Sender(Hl7v2Sender.ANONYMOUS, List.of(), null));
		}
		return senders.stream().filter(s -> s.contains(address)).findFirst();
	}

	/**
	 * An IP literal, optionally with a CIDR prefix. No host names: one would be looked up
	 * once and trusted after it moved.
	 */
	static Range range(String text, String property) {
		String literal = text.trim();
		int slash = literal.indexOf('/');
		String ip = slash < 0 ? literal : literal.substring(0, slash);
		if (!ip.matches(IP)) {
			throw new IllegalStateException(property + ": '" + text + "' is not an IP address or CIDR range");
		}
		byte[] address;
		try {
			address = InetAddress.getByName(ip).getAddress();
		}
		catch (UnknownHostException e) {
			throw new IllegalStateException(property + ": '" + text + "' is not an IP address or CIDR range", e);
		}
		int bits = address.length * 8;
		int prefix = bits;
		if (slash >= 0) {
			String length = literal.substring(slash + 1);
			prefix = length.matches("\\d{1,3}") ? Integer.parseInt(length) : -1;
			if (prefix < 0 || prefix > bits) {
				throw new IllegalStateException(
						property + ": '" + text + "' has no prefix length between 0 and " + bits);
			}
		}
		return new Range(address, prefix);
	}

	private static String subject(String configured, String property) {
		if (configured == null || configured.isBlank()) {
			return null;
		}
		String subject = configured.trim();
		if (subject.contains("=")) {
			try {
				new X500Principal(subject);
			}
			catch (IllegalArgumentException e) {
				throw new IllegalStateException(
						property + ".certificate-subject: '" + subject + "' is not a distinguished name", e);
			}
		}
		return subject;
	}

	private static List<String> commonNames(X500Principal subject) {
		try {
			return new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()
				.stream()
				.filter(rdn -> rdn.getType().equalsIgnoreCase("CN"))
				.map(Rdn::getValue)
				.map(String::valueOf)
				.toList();
		}
		catch (InvalidNameException e) {
			return List.of(); // an RFC 2253 name from the JDK always parses
		}
	}

}
