package dev.lifecycle.probes;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlockedThreadsTests {

	private final DeadlockedThreads check = new DeadlockedThreads();

	@Test
	void upWithoutDeadlock() {
		assertThat(this.check.check().status()).isEqualTo("UP");
	}

	@Test
	void downWhileTwoThreadsWaitForEachOthersLock() throws InterruptedException {
		ReentrantLock first = new ReentrantLock();
		ReentrantLock second = new ReentrantLock();
		CountDownLatch bothHoldOne = new CountDownLatch(2);
		Thread left = lockInOrder("deadlock-left", first, second, bothHoldOne);
		Thread right = lockInOrder("deadlock-right", second, first, bothHoldOne);
		try {
			HealthState state = awaitDown();
			assertThat(state.status()).isEqualTo("DOWN");
			assertThat(state.details().get("deadlockedThreads").toString()).contains("deadlock-left",
					"deadlock-right");
		}
		finally {
			// lockInterruptibly lets the test end the deadlock it made.
			left.interrupt();
			right.interrupt();
			left.join(5000);
			right.join(5000);
		}
		assertThat(this.check.check().status()).isEqualTo("UP");
	}

	private HealthState awaitDown() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		HealthState state = this.check.check();
		while (!state.status().equals("DOWN") && System.nanoTime() < deadline) {
			TimeUnit.MILLISECONDS.sleep(10);
			state = this.check.check();
		}
		return state;
	}

	private static Thread lockInOrder(String name, ReentrantLock held, ReentrantLock wanted, CountDownLatch bothHoldOne) {
		Thread thread = new Thread(() -> {
			held.lock();
			try {
				bothHoldOne.countDown();
				bothHoldOne.await();
				wanted.lockInterruptibly();
				wanted.unlock();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				held.unlock();
			}
		}, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

}
