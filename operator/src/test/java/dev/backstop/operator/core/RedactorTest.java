package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {

  private final Redactor patterns = Redactor.patterns();

  @Test
  void urlUserInfoGoesButSshUserNamesStay() {
    assertThat(patterns.redact("cannot fetch https://user:t0ken@git.example.com/x.git (401)"))
        .isEqualTo("cannot fetch https://***@git.example.com/x.git (401)");
    assertThat(patterns.redact("url: \"https://ghp_abc123@github.com/o/r\"")).isEqualTo("url: \"https://***@github.com/o/r\"");
    assertThat(patterns.redact("ssh://git@host/repo and ssh://u:pw@host")).isEqualTo("ssh://git@host/repo and ssh://***@host");
    assertThat(patterns.redact("mail me at a@b.c")).isEqualTo("mail me at a@b.c");
  }

  @Test
  void passwordStyleValuesInCommandsGo() {
    assertThat(patterns.redact("PGPASSWORD=hunter2 pg_dump -U app app"))
        .isEqualTo("PGPASSWORD=*** pg_dump -U app app");
    assertThat(patterns.redact("env MYSQL_PWD='a b' DB_TOKEN=x mysqldump")).isEqualTo("env MYSQL_PWD=*** DB_TOKEN=*** mysqldump");
    assertThat(patterns.redact("mysqldump --password=s3cr3t --user root db")).isEqualTo("mysqldump --password=*** --user root db");
    assertThat(patterns.redact("tool --token abc.def run")).isEqualTo("tool --token *** run");
    assertThat(patterns.redact("mysqldump -uroot -ps3cr3t db")).isEqualTo("mysqldump -uroot -p*** db");
    assertThat(patterns.redact("sh -c 'mysqldump -ps3cr3t db'")).isEqualTo("sh -c 'mysqldump -p*** db'");
    assertThat(patterns.redact("{\"command\":\"PGPASSWORD=x pg_dump\"}")).isEqualTo("{\"command\":\"PGPASSWORD=*** pg_dump\"}");
  }

  @Test
  void ordinaryTextStays() {
    assertThat(patterns.redact("spec.source.secretRef: Secret 'git' has no 'token'; add it"))
        .isEqualTo("spec.source.secretRef: Secret 'git' has no 'token'; add it");
    assertThat(patterns.redact("login password=abc and DB_PASSWORD: xyz")).isEqualTo("login password=*** and DB_PASSWORD: ***");
    String text = "deploy of 1234567 failed: service web unhealthy after 3 probes (-p project, ref main)";
    assertThat(patterns.redact(text)).isEqualTo(text);
    assertThat(patterns.redact(null)).isNull();
  }

  @Test
  void registeredValuesGoLongestFirstAndShortOnesAreIgnored() {
    Redactor r = patterns.with(List.of("t0ken-value", "t0ken-value-long", "v1"));
    assertThat(r.redact("a t0ken-value-long b t0ken-value c v1")).isEqualTo("a *** b *** c v1");
    String pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----\n";
    assertThat(patterns.with(List.of(pem)).redact("bad line MIIEvQIBADANBgkqhkiG9w0BAQEFAASC here"))
        .isEqualTo("bad line *** here");
  }
}
