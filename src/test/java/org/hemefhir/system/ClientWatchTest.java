package org.hemefhir.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientWatchTest {

	@Test
	void connectionsTheClientClosedAreReadFromTheKernelTable() {
		Set<String> closed = new HashSet<>();
		// 127.0.0.1:8080 <- 127.0.0.1:51234, CLOSE_WAIT (08); the same but ESTABLISHED
		// (01) is ignored
		ClientWatch.parse("  12: 0100007F:1F90 0100007F:C862 08 00000000:00000000 00:00000000 00000000  0 0 1 1",
				closed);
		ClientWatch.parse("  13: 0100007F:1F90 0100007F:C863 01 00000000:00000000 00:00000000 00000000  0 0 1 1",
				closed);
		// IPv6 ::1 port 8080 <- ::1 port 40000
		ClientWatch.parse(
				"   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:9C40 08 0:0 0:0 0 0 0 1",
				closed);
		assertThat(closed).containsExactlyInAnyOrder("127.0.0.1|51298|8080", "0:0:0:0:0:0:0:1|40000|8080");
	}

	@Test
	void addressesAreComparedInOneSpelling() {
		assertThat(ClientWatch.normalise("::1")).isEqualTo("0:0:0:0:0:0:0:1");
		assertThat(ClientWatch.normalise("::ffff:127.0.0.1")).isEqualTo("127.0.0.1");
		assertThat(ClientWatch.normalise("[::1]")).isEqualTo("0:0:0:0:0:0:0:1");
		assertThat(ClientWatch.normalise("localhost")).as("no lookup of names").isEqualTo("localhost");
	}

}
