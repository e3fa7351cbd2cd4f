package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ComposeOutputTest {

  @Test
  void stripsAnsiCodesAndEmptyLines() {
    String raw = "\u001B[31mError\u001B[0m response\n\n   \n\u001B[2K\u001B[1Gdone\r\n";

    assertThat(ComposeOutput.trimForStatus(raw, 600)).isEqualTo("Error response\ndone");
  }

  @Test
  void keepsTheLastLinesThatFit() {
    String raw = "first line\nsecond line\nthird line\n";

    // "second line\nthird line" is 22 chars; "first line" would not fit as well.
    assertThat(ComposeOutput.trimForStatus(raw, 22)).isEqualTo("second line\nthird line");
    assertThat(ComposeOutput.trimForStatus(raw, 21)).isEqualTo("third line");
  }

  @Test
  void cutsALastLineTooLongOnItsOwnKeepingItsHead() {
    String raw = "progress\nError: " + "x".repeat(100);

    String trimmed = ComposeOutput.trimForStatus(raw, 20);

    assertThat(trimmed).hasSize(20).startsWith("Error: xxx").endsWith("…");
  }

  @Test
  void treatsCarriageReturnsAsLineBreaks() {
    assertThat(ComposeOutput.trimForStatus("50%\r100%\rfailed", 6)).isEqualTo("failed");
  }

  @Test
  void stripsIndentation() {
    assertThat(ComposeOutput.trimForStatus(" Container x  Error\n", 600))
        .isEqualTo("Container x  Error");
  }

  @Test
  void dropsComposeProgressEventsButNotErrors() {
    String raw =
        " Network app_default  Creating\n"
            + " Network app_default  Created\n"
            + " Container app-web-1  Creating\n"
            + " Container app-db-1  Error\n"
            + "Error response from daemon: No such image: nope:1\n";

    assertThat(ComposeOutput.trimForStatus(ComposeOutput.withoutProgress(raw), 600))
        .isEqualTo("Container app-db-1  Error\nError response from daemon: No such image: nope:1");
  }

  @Test
  void keepsProgressWhenThatIsAllThereIs() {
    String raw = " Container app-web-1  Started\n";

    assertThat(ComposeOutput.withoutProgress(raw)).isEqualTo(raw);
  }

  @Test
  void emptyForNothing() {
    assertThat(ComposeOutput.trimForStatus(null, 600)).isEmpty();
    assertThat(ComposeOutput.trimForStatus("\n \n", 600)).isEmpty();
  }

  @Test
  void defaultBudgetIsTheStatusBudget() {
    String raw = ("line of forty characters, give or take.\n").repeat(100);

    assertThat(ComposeOutput.trimForStatus(raw))
        .hasSizeLessThanOrEqualTo(ComposeOutput.STATUS_MAX_CHARS);
    assertThat(ComposeOutput.trimForStatus(raw).length())
        .isGreaterThan(ComposeOutput.STATUS_MAX_CHARS - 41);
  }
}
