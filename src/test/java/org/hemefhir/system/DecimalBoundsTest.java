package org.hemefhir.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalBoundsTest {

	@ParameterizedTest
	@ValueSource(strings = { "0", "-0.0", "1.5", "+2", "1e308", "1.7976931348623157e308", "-1e-300", "0.000000001",
			"12345678901234567890.123", "1E5", "4.9e-324", "1e-999" })
	void ordinaryAndExtremeButStorableNumbersPass(String text) {
		assertThat(DecimalBounds.problem(text)).as(text).isEmpty();
		assertThat(DecimalBounds.problem(new BigDecimal(text))).as(text).isEmpty();
	}

	static Stream<String> outOfRange() {
		return Stream.of("1e309", "2e308", "-1e400", "1e999999", "1e99999999999999999999", "1" + "0".repeat(400));
	}

	@ParameterizedTest
	@MethodSource("outOfRange")
	void numbersBeyondDoubleRangeAreOutOfRange(String text) {
		assertThat(DecimalBounds.problem(text)).get().asString().contains("outside the range");
		if (text.length() < 1000 && !text.contains("99999999999")) {
			assertThat(DecimalBounds.problem(new BigDecimal(text))).get().asString().contains("outside the range");
		}
	}

	static Stream<String> tooLong() {
		return Stream.of("1e-1001", "0e-5000", "0e99999", "0." + "0000000001".repeat(101));
	}

	@ParameterizedTest
	@MethodSource("tooLong")
	void numbersTooLongWrittenOutAreRefused(String text) {
		assertThat(DecimalBounds.problem(text)).get().asString().contains("1000 digits");
		assertThat(DecimalBounds.problemIfCostly(text)).isPresent();
	}

	@Test
	void onlyCostlyNumbersAreReportedByTheCheapCheck() {
		assertThat(DecimalBounds.problemIfCostly("1e400")).as("out of range but cheap: the validator reports it")
			.isEmpty();
		assertThat(DecimalBounds.problemIfCostly("1e999999")).get().asString().contains("outside the range");
	}

	@Test
	void textThatIsNoNumberIsLeftToTheParser() {
		assertThat(DecimalBounds.problem("abc")).isEmpty();
		assertThat(DecimalBounds.problem("1e")).isEmpty();
		assertThat(DecimalBounds.problem("1.2.3")).isEmpty();
		assertThat(DecimalBounds.problem("")).isEmpty();
	}

	@Test
	void checksTakeTimeOfTheTextNotOfTheNumber() {
		long start = System.nanoTime();
		for (int i = 0; i < 1000; i++) {
			DecimalBounds.problem("1e999999999");
			DecimalBounds.problem(new BigDecimal("1e-999999999"));
		}
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
	}

	@Test
	void parseRefusesWithTheReason() {
		assertThat(DecimalBounds.parse(" 0.5 ")).isEqualByComparingTo("0.5");
		assertThatThrownBy(() -> DecimalBounds.parse("1e999999")).isInstanceOf(NumberFormatException.class)
			.hasMessageContaining("outside the range");
		assertThatThrownBy(() -> DecimalBounds.parse("x")).isInstanceOf(NumberFormatException.class);
	}

	@Test
	void longTextIsShortenedInMessages() {
		assertThat(DecimalBounds.problem("9".repeat(5000)).orElseThrow()).hasSizeLessThan(200);
	}

}
