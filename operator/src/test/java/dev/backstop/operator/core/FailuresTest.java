package dev.backstop.operator.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void namesTheInnermostCause() {
    Exception e =
        new IllegalStateException(
            "wrapper", new UncheckedIOException("middle", new IOException("disk full")));

    assertThat(Failures.rootMessage(e)).isEqualTo("disk full");
    assertThat(Failures.root(e)).isInstanceOf(IOException.class);
  }

  @Test
  void aRootWithoutAMessageIsNamedByItsClass() {
    assertThat(Failures.rootMessage(new RuntimeException("outer", new UnknownHostException())))
        .isEqualTo("UnknownHostException");
    assertThat(Failures.rootMessage(new IOException(" "))).isEqualTo("IOException");
  }

  @Test
  void anExceptionWithoutACauseIsItsOwnRoot() {
    IOException e = new IOException("refused");

    assertThat(Failures.root(e)).isSameAs(e);
    assertThat(Failures.rootMessage(e)).isEqualTo("refused");
  }

  @Test
  void aCycleOfCausesEnds() {
    Exception a = new Exception("a");
    Exception b = new Exception("b", a);
    a.initCause(b);

    assertThat(Failures.rootMessage(a)).isEqualTo("b");
  }
}
