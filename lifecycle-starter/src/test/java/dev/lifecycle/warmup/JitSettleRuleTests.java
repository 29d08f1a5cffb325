package dev.lifecycle.warmup;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The settle rule on a fake clock and a fake compilation time. */
class JitSettleRuleTests {

	private long nanos;

	private long compilationMillis;

	private final JitSettleRule rule = new JitSettleRule(Duration.ofSeconds(2), Duration.ofMillis(100),
			() -> this.compilationMillis, () -> this.nanos);

	@Test
	void notSettledBeforeAWholeWindowWasSampledEvenWhenNothingCompiles() {
		assertThat(this.rule.isSettled()).isFalse();
		advance(1999, 0);
		assertThat(this.rule.isSettled()).isFalse();
		assertThat(this.rule.lastGrowthMillis()).isEqualTo(-1);
		advance(1, 0);
		assertThat(this.rule.isSettled()).isTrue();
		assertThat(this.rule.lastGrowthMillis()).isZero();
	}

	@Test
	void settledOnceTheGrowthOverTheLastWindowFallsBelowTheThreshold() {
		// Samples every 500 ms; compilation adds 300 ms per sample for 4 s, then 20 ms.
		this.rule.isSettled();
		for (int i = 0; i < 8; i++) {
			advance(500, 300);
			assertThat(this.rule.isSettled()).as("sample %d", i).isFalse();
		}
		for (int i = 0; i < 3; i++) {
			advance(500, 20);
			assertThat(this.rule.isSettled()).as("busy samples still in the window, quiet sample %d", i).isFalse();
		}
		advance(500, 20);
		assertThat(this.rule.isSettled()).as("the last 2 s added 80 ms").isTrue();
		assertThat(this.rule.lastGrowthMillis()).isEqualTo(80);
	}

	@Test
	void growthEqualToTheThresholdIsNotSettled() {
		this.rule.isSettled();
		advance(2000, 100);
		assertThat(this.rule.isSettled()).isFalse();
		assertThat(this.rule.lastGrowthMillis()).isEqualTo(100);
		advance(2000, 99);
		assertThat(this.rule.isSettled()).isTrue();
	}

	@Test
	void aBurstOfCompilationAfterAQuietSpellUnsettlesItAgain() {
		this.rule.isSettled();
		advance(2000, 0);
		assertThat(this.rule.isSettled()).isTrue();
		advance(500, 400);
		assertThat(this.rule.isSettled()).isFalse();
	}

	@Test
	void sparseSamplesCompareWithTheNewestSampleAtLeastAWindowOld() {
		this.rule.isSettled();
		advance(1000, 500);
		this.rule.isSettled();
		advance(1500, 50);
		// Baseline: the sample at 0 ms (the one at 1000 ms is only 1.5 s old): 550 ms added.
		assertThat(this.rule.isSettled()).isFalse();
		assertThat(this.rule.lastGrowthMillis()).isEqualTo(550);
		advance(600, 0);
		// Baseline: the sample at 1000 ms, 2.1 s old: 50 ms added.
		assertThat(this.rule.isSettled()).isTrue();
		assertThat(this.rule.lastGrowthMillis()).isEqualTo(50);
	}

	private void advance(long millis, long compiledMillis) {
		this.nanos += Duration.ofMillis(millis).toNanos();
		this.compilationMillis += compiledMillis;
	}

}
