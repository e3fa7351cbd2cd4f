package dev.backstop.operator.core;

import static dev.backstop.operator.api.v1alpha1.PolicyLevel.Baseline;
import static dev.backstop.operator.api.v1alpha1.PolicyLevel.Privileged;
import static dev.backstop.operator.api.v1alpha1.PolicyLevel.Restricted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backstop.operator.api.v1alpha1.PolicyLevel;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each level refuses what it names, and nothing else. */
class ComposePolicyTest {

  private static final ComposeModel.Mount NAMED = new ComposeModel.Mount("volume", "data", "/data");
  private static final ComposeModel.Mount INSIDE = new ComposeModel.Mount("bind", "/state/checkouts/c1/www", "/www");

  /** A plain service: an image, a named volume, nothing else. */
  private static ComposeModel.Service plain() {
    return new ComposeModel.Service("web", "app:1", null, null, false, null, null, null, null,
        List.of(), List.of(), null, List.of(NAMED), List.of());
  }

  private static ComposeModel model(UnaryOperator<ComposeModel.Service> change) {
    return new ComposeModel(List.of(change.apply(plain())), List.of());
  }

  private static ComposeModel.Service with(ComposeModel.Service s, String field, Object value) {
    return new ComposeModel.Service(s.name(), s.image(), s.buildContext(), s.dockerfile(),
        field.equals("privileged") ? (Boolean) value : s.privileged(),
        field.equals("network_mode") ? (String) value : s.networkMode(),
        field.equals("pid") ? (String) value : s.pid(),
        field.equals("ipc") ? (String) value : s.ipc(),
        field.equals("uts") ? (String) value : s.uts(),
        field.equals("cap_add") ? List.of((String) value) : s.capAdd(),
        field.equals("devices") ? List.of((String) value) : s.devices(),
        field.equals("user") ? (String) value : s.user(),
        field.equals("volumes") ? List.of((ComposeModel.Mount) value) : s.mounts(),
        s.envFiles());
  }

  /** Setting, value, the loosest level that refuses it (null = none does). */
  static Stream<Arguments> settings() {
    return Stream.of(
        Arguments.of("privileged", true, Baseline, "privileged: true"),
        Arguments.of("network_mode", "host", Baseline, "network_mode: host"),
        Arguments.of("pid", "host", Baseline, "pid: host"),
        Arguments.of("ipc", "host", Baseline, "ipc: host"),
        Arguments.of("uts", "host", Baseline, "uts: host"),
        Arguments.of("cap_add", "SYS_ADMIN", Baseline, "cap_add: SYS_ADMIN"),
        Arguments.of("cap_add", "ALL", Baseline, "cap_add: ALL"),
        Arguments.of("cap_add", "CAP_NET_ADMIN", Baseline, "cap_add: CAP_NET_ADMIN"),
        Arguments.of("devices", "/dev/fuse:/dev/fuse", Baseline, "devices: /dev/fuse:/dev/fuse"),
        Arguments.of("volumes", new ComposeModel.Mount("bind", "/var/run/docker.sock", "/s"), Baseline,
            "volumes: /var/run/docker.sock:/s"),
        Arguments.of("volumes", new ComposeModel.Mount("bind", "/run", "/r"), Baseline, "volumes: /run:/r"),
        Arguments.of("cap_add", "CHOWN", Restricted, "cap_add: CHOWN"),
        Arguments.of("cap_add", "net_bind_service", Restricted, "cap_add: net_bind_service"),
        Arguments.of("volumes", INSIDE, Restricted, "volumes: /state/checkouts/c1/www:/www"),
        Arguments.of("network_mode", "bridge", null, null),
        Arguments.of("network_mode", "container:db", null, null),
        Arguments.of("pid", "service:db", null, null),
        Arguments.of("volumes", NAMED, null, null),
        Arguments.of("volumes", new ComposeModel.Mount("tmpfs", null, "/tmp"), null, null));
  }

  @ParameterizedTest(name = "{0}={1}: refused from {2}")
  @MethodSource("settings")
  void eachLevelRefusesWhatItNamesAndNothingElse(String field, Object value, PolicyLevel from, String setting) {
    ComposeModel m = model(s -> with(s, field, value));
    for (PolicyLevel level : PolicyLevel.values()) {
      List<ComposePolicy.Violation> found = ComposePolicy.judge(level, m);
      if (from != null && level.atLeastAsStrictAs(from)) {
        assertThat(found).as(level + " on " + field).singleElement().satisfies(v -> {
          assertThat(v.service()).isEqualTo("web");
          assertThat(v.setting()).isEqualTo(setting);
        });
      } else {
        assertThat(found).as(level + " on " + field).isEmpty();
      }
    }
  }

  @Test
  void baselineAcceptsAPlainServiceABindInsideTheCheckoutAndADefaultCapability() {
    ComposeModel m = new ComposeModel(List.of(
        plain(),
        with(with(plain(), "volumes", INSIDE), "cap_add", "CHOWN")), List.of());
    assertThat(ComposePolicy.judge(Baseline, m)).isEmpty();
    assertThat(ComposePolicy.judgeUsers(Baseline, m, Map.of())).isEmpty();
    assertThat(ComposePolicy.imagesToInspect(Baseline, m)).isEmpty();
  }

  @Test
  void restrictedAcceptsANonRootServiceWithNamedVolumesOnly() {
    ComposeModel byUser = model(s -> with(s, "user", "1000:1000"));
    assertThat(ComposePolicy.judge(Restricted, byUser)).isEmpty();
    assertThat(ComposePolicy.imagesToInspect(Restricted, byUser)).isEmpty();
    assertThat(ComposePolicy.judgeUsers(Restricted, byUser, Map.of())).isEmpty();

    ComposeModel byImage = model(UnaryOperator.identity());
    assertThat(ComposePolicy.imagesToInspect(Restricted, byImage)).containsExactly(Map.entry("web", "app:1"));
    assertThat(ComposePolicy.judgeUsers(Restricted, byImage, Map.of("web", "nobody"))).isEmpty();
  }

  @Test
  void restrictedRefusesRootWhereTheImageSaysSo() {
    ComposeModel unset = model(UnaryOperator.identity());
    for (String imageUser : List.of("", "root", "0", "0:0")) {
      assertThat(ComposePolicy.judgeUsers(Restricted, unset, Map.of("web", imageUser)))
          .as(imageUser).singleElement().extracting(ComposePolicy.Violation::setting).isEqualTo("user: (unset)");
    }
    // An image the host does not have cannot prove it is not root.
    assertThat(ComposePolicy.judgeUsers(Restricted, unset, Map.of())).hasSize(1);
    for (String user : List.of("0", "root", "root:root")) {
      ComposeModel explicit = model(s -> with(s, "user", user));
      assertThat(ComposePolicy.judgeUsers(Restricted, explicit, Map.of("web", "nobody"))).as(user)
          .singleElement().extracting(ComposePolicy.Violation::setting).isEqualTo("user: " + user);
      assertThat(ComposePolicy.judgeUsers(Baseline, explicit, Map.of())).isEmpty();
    }
  }

  @Test
  void restrictedRefusesANamedVolumeThatBindsAHostPath() {
    ComposeModel m = new ComposeModel(List.of(plain()),
        List.of(new ComposeModel.HostFile("volumes.data.driver_opts.device", "/etc")));
    assertThat(ComposePolicy.judge(Restricted, m)).singleElement()
        .extracting(ComposePolicy.Violation::setting).isEqualTo("volumes.data.driver_opts.device: /etc");
    assertThat(ComposePolicy.judge(Baseline, m)).isEmpty();
  }

  @Test
  void privilegedRefusesNothing() {
    ComposeModel all = model(s -> with(with(with(with(s, "privileged", true), "network_mode", "host"),
        "cap_add", "ALL"), "volumes", new ComposeModel.Mount("bind", "/var/run/docker.sock", "/s")));
    assertThat(ComposePolicy.judge(Privileged, all)).isEmpty();
    assertThat(ComposePolicy.judgeUsers(Privileged, all, Map.of())).isEmpty();
  }

  @Test
  void aReleaseMayAskForStricterThanTheCeilingNeverLooser() {
    assertThat(ComposePolicy.ceilingProblem(Restricted, Baseline)).isEmpty();
    assertThat(ComposePolicy.ceilingProblem(Baseline, Baseline)).isEmpty();
    assertThat(ComposePolicy.ceilingProblem(null, Restricted)).isEmpty();
    assertThat(ComposePolicy.ceilingProblem(Privileged, Baseline)).hasValueSatisfying(m ->
        assertThat(m).contains("Privileged is looser than this operator's ceiling Baseline"));
    assertThat(ComposePolicy.ceilingProblem(Baseline, Restricted)).isPresent();
    assertThat(ComposePolicy.effective(null, Baseline)).isEqualTo(Baseline);
    assertThat(ComposePolicy.effective(Restricted, Baseline)).isEqualTo(Restricted);
  }

  @Test
  void theMessageNamesEveryServiceAndSetting() {
    ComposeModel m = model(s -> with(with(s, "privileged", true), "pid", "host"));
    String message = ComposePolicy.message(Baseline, ComposePolicy.judge(Baseline, m));
    assertThat(message).contains("service web: privileged: true", "service web: pid: host", "nothing was started");
  }
}
