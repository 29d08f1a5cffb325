package dev.lifecycle.probes;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.contributor.Status;

import dev.lifecycle.probes.ReadinessProbeRecord.Verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class ReadinessProbeRecordingTests {

	private final ReadinessProbeRecord record = new ReadinessProbeRecord();

	private final ReadinessProbeRecording recording = new ReadinessProbeRecording(this.record);

	@Test
	void aProbeNobodyAskedHasNoVerdictOfItsOwn() {
		assertThat(this.record.verdict()).isEqualTo(Verdict.NEVER_ASKED);
	}

	@Test
	void answersThatNeverPassedMeanThePodWasNeverRoutable() {
		HealthEndpointGroup readiness = readinessThroughTheRecord();
		readiness.getHttpCodeStatusMapper().getStatusCode(Status.OUT_OF_SERVICE);
		readiness.getHttpCodeStatusMapper().getStatusCode(Status.DOWN);
		assertThat(this.record.verdict()).isEqualTo(Verdict.NEVER_PASSED);
	}

	@Test
	void oneAnswerThatPassedIsRememberedForGood() {
		HealthEndpointGroup readiness = readinessThroughTheRecord();
		assertThat(readiness.getHttpCodeStatusMapper().getStatusCode(Status.UP)).isEqualTo(200);
		readiness.getHttpCodeStatusMapper().getStatusCode(Status.OUT_OF_SERVICE);
		assertThat(this.record.verdict()).isEqualTo(Verdict.PASSED);
	}

	@Test
	void passingIsWhatTheKubeletCountsAsSuccessNotTheStatusName() {
		HealthEndpointGroup readiness = readinessThroughTheRecord(HttpCodeStatusMapper.of(Map.of("DOWN", 299)));
		readiness.getHttpCodeStatusMapper().getStatusCode(Status.DOWN);
		assertThat(this.record.verdict()).isEqualTo(Verdict.PASSED);
	}

	@Test
	void otherGroupsAndTheGroupsOwnSettingsAreLeftAsTheyWere() {
		HealthEndpointGroup liveness = mock(HealthEndpointGroup.class);
		HealthEndpointGroup readiness = group(HttpCodeStatusMapper.getDefault());
		given(readiness.isMember("readinessState")).willReturn(true);
		HealthEndpointGroups groups = this.recording.postProcessHealthEndpointGroups(HealthEndpointGroups
			.of(mock(HealthEndpointGroup.class), Map.of("liveness", liveness, "readiness", readiness)));
		assertThat(groups.getNames()).containsExactlyInAnyOrder("liveness", "readiness");
		assertThat(groups.get("liveness")).isSameAs(liveness);
		assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
		liveness.getHttpCodeStatusMapper();
		assertThat(this.record.verdict()).isEqualTo(Verdict.NEVER_ASKED);
	}

	@Test
	void withoutAReadinessGroupNothingChanges() {
		HealthEndpointGroups groups = HealthEndpointGroups.of(mock(HealthEndpointGroup.class), Map.of());
		assertThat(this.recording.postProcessHealthEndpointGroups(groups)).isSameAs(groups);
	}

	private HealthEndpointGroup readinessThroughTheRecord() {
		return readinessThroughTheRecord(HttpCodeStatusMapper.getDefault());
	}

	private HealthEndpointGroup readinessThroughTheRecord(HttpCodeStatusMapper mapper) {
		HealthEndpointGroups groups = this.recording.postProcessHealthEndpointGroups(
				HealthEndpointGroups.of(mock(HealthEndpointGroup.class), Map.of("readiness", group(mapper))));
		return groups.get("readiness");
	}

	private static HealthEndpointGroup group(HttpCodeStatusMapper mapper) {
		HealthEndpointGroup group = mock(HealthEndpointGroup.class);
		given(group.getHttpCodeStatusMapper()).willReturn(mapper);
		return group;
	}

}
