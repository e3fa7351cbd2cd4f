package dev.backstop.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.backstop.operator.api.v1alpha1.Phase;
import dev.backstop.operator.local.StatusStore;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in a real browser (Debian's Chromium, headless, through chromium-driver) against
 * the built jar, a real git repository and a real Compose stack: the list shows the release, an
 * automatic rollback appears in the timeline as it happens, and the rollback button is refused
 * without the right token and works with it. Screenshots go to target/screenshots/.
 */
class StatusPageIT {

  static final Path SHOTS = Path.of("target", "screenshots");

  @TempDir Path tmp;
  private final String project = "bspage-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> daemons = new ArrayList<>();
  private WebDriver browser;
  private int apiPort;
  private int appPort;

  @BeforeEach
  void browser() throws Exception {
    browser = chromium(tmp);
  }

  /** Debian's Chromium, headless, with its profile under {@code tmp}; screenshots go to {@link #SHOTS}. */
  static WebDriver chromium(Path tmp) throws Exception {
    File chromium = new File("/usr/bin/chromium");
    File driver = new File("/usr/bin/chromedriver");
    assertThat(chromium).as("Debian's chromium (scripts/install-deps.sh installs it)").exists();
    assertThat(driver).as("Debian's chromium-driver (scripts/install-deps.sh installs it)").exists();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")), "--window-size=1280,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver)
        .usingAnyFreePort().build();
    WebDriver browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    Files.createDirectories(SHOTS);
    return browser;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    for (Process p : daemons) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    DemoRepo.run(List.of("docker", "compose", "-p", project, "down", "-t", "1"), tmp);
  }

  @Test
  void listTimelineAndRollbackButtonAgainstARealStack() throws Exception {
    try {
      walkThrough();
    } catch (Throwable t) {
      // What the page showed when it went wrong, for the person reading the failure.
      shot("failure.png", 1900);
      throw new AssertionError(t.getMessage() + "\npage text:\n" + browser.findElement(By.tagName("body")).getText(), t);
    }
  }

  private void walkThrough() throws Exception {
    DemoRepo repo = DemoRepo.create(tmp.resolve("repo"));
    String v1 = repo.commit("v1");
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path state = tmp.resolve("state");
    Path manifest = manifests.resolve("demo.yaml");
    StatusStore store = new StatusStore(state);
    appPort = LocalModeIT.freePort();
    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v1", project));
    startDaemon(manifests, state);
    awaitPhase(store, Phase.Healthy);
    String base = "http://127.0.0.1:" + apiPort;

    // The list shows the release with its phase and revisions.
    browser.get(base + "/");
    WebElement row = awaitElement(By.cssSelector("tr[data-release='demo']"), Duration.ofSeconds(30));
    awaitElement(By.cssSelector("tr[data-release='demo'] [data-phase='Healthy']"), Duration.ofSeconds(30));
    assertThat(row.getText()).contains("demo", "Healthy", "v1@" + v1.substring(0, 7), "True");
    shot("01-releases.png", 900);

    // Client-side routing to the release's page, then an automatic rollback arrives by SSE.
    browser.findElement(By.cssSelector("tr[data-release='demo'] a")).click();
    awaitElement(By.cssSelector("#timeline li[data-action='Deploy'][data-result='Succeeded']"), Duration.ofSeconds(30));
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/releases/demo");
    js("window.__sameDocument = 'yes'");
    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v2", project));
    WebElement rollback = awaitElement(
        By.cssSelector("#timeline li[data-action='Rollback'][data-result='Succeeded']"), Duration.ofSeconds(180));
    assertThat(rollback.getText()).contains("Rollback v1@" + v1.substring(0, 7), "Trigger");
    assertThat(js("return window.__sameDocument")).as("no reload: the timeline grew by itself").isEqualTo("yes");
    assertThat(browser.findElement(By.cssSelector("#timeline")).getText()).contains("Deploy v2", "Failed");
    awaitText(By.cssSelector("#report"), "Services Affected", Duration.ofSeconds(30));
    assertThat(browser.findElement(By.cssSelector("#report")).getText())
        .contains("Trigger", "Automatic", "Rollback Time", "Recovery Time", "web", "Root Cause", "Lessons Learned");
    assertThat(browser.findElements(By.cssSelector("#checks [data-check] svg.chart"))).isNotEmpty();
    assertThat(browser.findElement(By.cssSelector("#services")).getText()).contains("web", "running");
    shot("02-release-rolled-back.png", 1900);

    // v3 is healthy: a manual rollback now goes back to v1.
    DemoRepo.write(manifest, DemoRepo.manifest("demo", repo.dir, "v3", project));
    awaitElement(By.xpath("//li[@data-action='Deploy' and @data-result='Succeeded']//span[starts-with(., 'Deploy v3')]"),
        Duration.ofSeconds(180));
    awaitElement(By.cssSelector("h1 [data-phase='Healthy']"), Duration.ofSeconds(60));
    Path requests = state.resolve("releases/demo/requests.json");

    // Without a token the page asks for one; cancelling sends nothing.
    clickAction("rollback");
    assertThat(visible("#confirm-dialog")).isTrue();
    assertThat(browser.findElement(By.id("confirm-text")).getText()).contains("back to v1@" + v1.substring(0, 7));
    shot("03-confirm-rollback.png", 900);
    browser.findElement(By.id("confirm-ok")).click();
    await().atMost(Duration.ofSeconds(10)).until(() -> visible("#token-dialog"));
    browser.findElement(By.id("token-cancel")).click();
    // A wrong (stale) token reaches the daemon and is refused.
    js("sessionStorage.setItem('backstop.token', 'not-the-token')");
    clickAction("rollback");
    browser.findElement(By.id("confirm-ok")).click();
    awaitText(By.id("toast"), "Refused (403)", Duration.ofSeconds(20));
    shot("04-refused-without-token.png", 900);
    assertThat(requests).doesNotExist();

    // With the token pasted once, the button works and the rollback joins the timeline.
    String token = Files.readString(state.resolve("api-token")).strip();
    browser.findElement(By.id("token-button")).click();
    await().atMost(Duration.ofSeconds(10)).until(() -> visible("#token-dialog"));
    WebElement input = browser.findElement(By.id("token-input"));
    input.clear();
    input.sendKeys(token);
    browser.findElement(By.id("token-save")).click();
    awaitText(By.id("toast"), "Token accepted", Duration.ofSeconds(20));
    clickAction("rollback");
    browser.findElement(By.id("confirm-ok")).click();
    awaitText(By.id("toast"), "rollback requested for demo", Duration.ofSeconds(20));
    assertThat(Files.readString(requests)).contains("backstop.dev/rollback");
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
        browser.findElements(By.cssSelector("#timeline li[data-action='Rollback'][data-result='Succeeded']")).stream()
            .anyMatch(li -> li.getText().contains("Trigger Manual")));
    assertThat(js("return window.__sameDocument")).isEqualTo("yes");
    shot("05-release-after-manual-rollback.png", 2000);

    // Narrow screens get stacked cards instead of wide tables.
    browser.manage().window().setSize(new Dimension(390, 900));
    browser.get(base + "/");
    awaitElement(By.cssSelector("tr[data-release='demo']"), Duration.ofSeconds(30));
    shot("06-releases-narrow.png", 900);
  }

  private void clickAction(String action) {
    By button = By.cssSelector(".actions button[data-action='" + action + "']");
    awaitElement(button, Duration.ofSeconds(20));
    // The page re-renders on every event, which replaces the button: find it again at each poll
    // and right before clicking it.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
        .until(() -> browser.findElement(button).isEnabled());
    // A stale button was not clicked, so trying again cannot click twice.
    await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
        .until(() -> {
          browser.findElement(button).click();
          return true;
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> visible("#confirm-dialog"));
  }

  private boolean visible(String dialog) {
    return Boolean.TRUE.equals(js("return document.querySelector(\"" + dialog + "\").open"));
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private WebElement awaitElement(By by, Duration bound) {
    await().atMost(bound).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> !browser.findElements(by).isEmpty());
    return browser.findElement(by);
  }

  private void awaitText(By by, String text, Duration bound) {
    await().atMost(bound).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> browser.findElement(by).getText().contains(text));
  }

  private void shot(String name, int height) throws Exception {
    Dimension size = browser.manage().window().getSize();
    browser.manage().window().setSize(new Dimension(size.getWidth(), height));
    File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(png.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    browser.manage().window().setSize(size);
  }

  private void startDaemon(Path manifests, Path state) throws Exception {
    apiPort = LocalModeIT.freePort();
    ProcessBuilder pb = new ProcessBuilder(LocalModeIT.javaBin(), "-jar", LocalModeIT.jar(), "run", "--manifests",
        manifests.toString(), "--state", state.toString(), "--port", String.valueOf(apiPort), "--stack-env", "DEMO_PORT");
    pb.environment().put("DEMO_PORT", String.valueOf(appPort));
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("backstop.log").toFile()));
    daemons.add(pb.start());
  }

  private void awaitPhase(StatusStore store, Phase phase) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
          .until(() -> store.read("demo").map(s -> s.getPhase() == phase).orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("phase " + phase + " not reached; log:\n" + Files.readString(tmp.resolve("backstop.log")), e);
    }
  }
}
