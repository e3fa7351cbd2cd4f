package dev.backstop.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** manifests/ and the chart ship the CRD that crds/ holds; copy it there after `make crd`. */
class CrdCopiesTest {

  @Test
  void manifestsAndChartCarryTheCommittedCrd() throws Exception {
    String crd = Files.readString(Path.of("../crds/stagingreleases.backstop.dev-v1.yml"));
    assertThat(Files.readString(Path.of("../manifests/crd.yaml"))).as("manifests/crd.yaml is stale").isEqualTo(crd);
    assertThat(Files.readString(Path.of("../helm/backstop/crds/stagingreleases.backstop.dev-v1.yml")))
        .as("helm/backstop/crds is stale").isEqualTo(crd);
  }
}
