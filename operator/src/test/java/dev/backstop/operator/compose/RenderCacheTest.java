package dev.backstop.operator.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backstop.operator.engine.FakeWorld;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compose renders a project once per content, and again whenever what it reads changed. */
class RenderCacheTest {

  @TempDir Path tmp;
  private final FakeWorld world = new FakeWorld();
  private final RenderCache cache = new RenderCache(world);
  private Path dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createDirectories(tmp.resolve("checkout"));
    Files.writeString(dir.resolve("compose.yaml"), "services: {web: {image: fake:1}}\n");
  }

  private ComposeProject project(Map<String, String> variables, String... files) {
    return new ComposeProject("demo", dir, List.of(files), List.of(), DockerEndpoint.LOCAL, variables);
  }

  @Test
  void theSameFilesAndVariablesRenderOnce() throws Exception {
    String first = cache.config(project(Map.of("PORT", "1")));
    String again = cache.config(project(Map.of("PORT", "1")));
    cache.hashes(project(Map.of("PORT", "1")));
    cache.hashes(project(Map.of("PORT", "1")));

    assertThat(again).isEqualTo(first);
    assertThat(world.renders).as("one config, one config --hash").hasSize(2);
  }

  @Test
  void theServicesComeFromTheRenderingAnApplyNeedsAnyway() throws Exception {
    cache.services(project(Map.of("PORT", "1")));
    cache.config(project(Map.of("PORT", "1")));

    assertThat(cache.services(project(Map.of("PORT", "1")))).containsExactly("web");
    assertThat(world.renders).as("one config --format json for both").hasSize(1);
    assertThat(world.serviceListings).as("no config --services run").isEmpty();
  }

  @Test
  void otherVariablesAFileChangedOrAddedOrAnotherFileListRenderAgain() throws Exception {
    cache.config(project(Map.of("PORT", "1")));
    cache.config(project(Map.of("PORT", "2")));
    Files.writeString(dir.resolve("compose.yaml"), "services: {web: {image: fake:2}}\n");
    cache.config(project(Map.of("PORT", "2")));
    Files.writeString(dir.resolve(".env"), "PORT=3\n");
    cache.config(project(Map.of("PORT", "2")));
    Path override = Files.writeString(tmp.resolve("override.yaml"), "services: {web: {image: built:1}}\n");
    cache.config(project(Map.of("PORT", "2"), "compose.yaml", override.toString()));
    Files.writeString(override, "services: {web: {image: built:2}}\n");
    cache.config(project(Map.of("PORT", "2"), "compose.yaml", override.toString()));

    assertThat(world.renders).hasSize(6);
  }

  @Test
  void aFailureIsNotKeptAndAMissingDirectoryIsLeftToCompose() throws Exception {
    AtomicBoolean fail = new AtomicBoolean(true);
    // The fake world, except that its first config fails as Compose does on files it cannot read.
    ComposeDriver flaky = (ComposeDriver) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ComposeDriver.class}, (proxy, method, args) -> {
          if (method.getName().equals("config") && fail.getAndSet(false)) {
            throw new ComposeException(ComposeException.Kind.INVALID, "compose said no");
          }
          return method.invoke(world, args);
        });
    RenderCache failing = new RenderCache(flaky);
    assertThatThrownBy(() -> failing.config(project(Map.of()))).hasMessage("compose said no");
    assertThat(failing.config(project(Map.of()))).contains("fake:1");

    assertThat(RenderCache.key("config", new ComposeProject("demo", tmp.resolve("gone"), List.of(), List.of(),
        DockerEndpoint.LOCAL))).isNull();
  }
}
