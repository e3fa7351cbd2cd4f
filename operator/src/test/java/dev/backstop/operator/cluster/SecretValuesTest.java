package dev.backstop.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.compose.DockerTls;
import dev.backstop.operator.git.GitCredentials;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretValuesTest {

  @Test
  void dataIsDecodedAndStringDataWins() {
    Secret secret = new SecretBuilder().addToData("password", b64("from-data")).addToData("username", b64("deployer"))
        .addToStringData("password", "from-string-data").build();
    assertThat(SecretValues.decoded(secret)).containsExactlyInAnyOrderEntriesOf(
        Map.of("password", "from-string-data", "username", "deployer"));
  }

  @Test
  void gitTakesAPasswordOrATokenOrAKeyAndNamesTheSecretWhenItHasNone() throws Exception {
    GitCredentials token = SecretValues.git("creds", Map.of("token", "t"));
    assertThat(token.password()).isEqualTo("t");
    assertThat(token.username()).isNull();
    assertThat(SecretValues.git("creds", Map.of("ssh-privatekey", "KEY", "known_hosts", "h")).hasSshKey()).isTrue();
    assertThatThrownBy(() -> SecretValues.git("creds", Map.of("username", "u")))
        .hasMessage("Secret 'creds' (spec.source.secretRef) has neither 'password'/'token' nor 'ssh-privatekey';"
            + " add one of them");
  }

  @Test
  void tlsTakesEitherKeyNameAndNamesTheFirstMissingOne() throws Exception {
    DockerTls tls = SecretValues.tls("tls", Map.of("ca.pem", "CA", "tls.crt", "CERT", "key.pem", "KEY"));
    assertThat(tls).isEqualTo(new DockerTls("CA", "CERT", "KEY"));
    assertThatThrownBy(() -> SecretValues.tls("tls", Map.of("ca.crt", "CA", "tls.key", "KEY")))
        .hasMessage("Secret 'tls' (spec.compose.tlsSecretRef) has no 'tls.crt' (or 'cert.pem'); add it");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
