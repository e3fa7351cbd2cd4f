package dev.backstop.operator.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backstop.operator.api.v1alpha1.StagingRelease;
import dev.backstop.operator.api.v1alpha1.StagingReleaseStatus;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fabric8 mock API server in CRUD mode that knows the StagingRelease CRD and answers discovery
 * for its group, both derived from the committed CRD file, so kubectl can talk to it too.
 */
final class MockCluster implements AutoCloseable {

  static final Path CRD_FILE = Path.of("../crds/stagingreleases.backstop.dev-v1.yml");
  /** The bearer token the operator's clients send: how its requests are told from the test's. */
  static final String OPERATOR_TOKEN = "backstop-operator";

  /** Every request the operator made, in order: what its RBAC must grant. */
  final List<RecordedRequest> operatorRequests = new CopyOnWriteArrayList<>();

  /**
   * Operator requests answered 403 as RBAC would refuse them (none by default), to show what the
   * operator does without a permission.
   */
  volatile java.util.function.Predicate<RecordedRequest> forbidden = r -> false;

  final KubernetesMockServer server;
  final NamespacedKubernetesClient client;
  final CustomResourceDefinition crd;

  MockCluster() throws IOException {
    crd = Serialization.unmarshal(Files.readString(CRD_FILE), CustomResourceDefinition.class);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses, List.of(CustomResourceDefinitionContext.fromCrd(crd))) {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            if (("Bearer " + OPERATOR_TOKEN).equals(request.getHeader("Authorization"))) {
              operatorRequests.add(request);
              if (forbidden.test(request)) {
                return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json")
                    .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
                        + "\"Forbidden\",\"code\":403,\"message\":\"" + request.getMethod() + " " + request.getPath()
                        + " is forbidden for the operator's service account\"}");
              }
            }
            return super.dispatch(request);
          }
        }, false);
    server.init();
    // Expectations match the query too; kubectl asks with its default request timeout.
    for (String query : List.of("", "?timeout=32s")) {
      server.expect().get().withPath("/api" + query)
          .andReturn(200, new APIVersionsBuilder().withVersions("v1").build()).always();
      server.expect().get().withPath("/api/v1" + query)
          .andReturn(200, new APIResourceListBuilder().withGroupVersion("v1").build()).always();
      server.expect().get().withPath("/apis" + query).andReturn(200, groupList(crd)).always();
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        String gv = crd.getSpec().getGroup() + "/" + v.getName();
        server.expect().get().withPath("/apis/" + gv + query).andReturn(200, resourceList(crd, gv)).always();
      }
    }
    // The mock cannot review permissions; JOSDK asks before leader election, so answer as RBAC would.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder()
            .withNewStatus().addNewResourceRule()
              .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("get", "create", "update")
            .endResourceRule().withIncomplete(false).endStatus()
            .build())
        .always();
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  /** A client as the operator's service account: its requests are recorded. */
  NamespacedKubernetesClient operatorClient() {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withOauthToken(OPERATOR_TOKEN).build())
        .build().adapt(NamespacedKubernetesClient.class);
  }

  /** The (group/resource, verb) pairs of the operator's requests, as RBAC rules name them. */
  Map<String, TreeSet<String>> operatorCalls() {
    return ApiCalls.of(operatorRequests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList());
  }

  /** As {@link #operatorCalls()}, per namespace ("" for cluster-wide requests). */
  Map<String, Map<String, TreeSet<String>>> operatorCallsByNamespace() {
    return ApiCalls.byNamespace(operatorRequests.stream().map(r -> r.getMethod() + " " + r.getPath()).toList());
  }

  static APIGroupList groupList(CustomResourceDefinition crd) {
    String group = crd.getSpec().getGroup();
    List<CustomResourceDefinitionVersion> versions = crd.getSpec().getVersions();
    String preferred = versions.stream().filter(CustomResourceDefinitionVersion::getStorage).findFirst()
        .orElse(versions.get(0)).getName();
    return new APIGroupListBuilder()
        .addNewGroup()
          .withName(group)
          .withVersions(versions.stream()
              .map(v -> new GroupVersionForDiscovery(group + "/" + v.getName(), v.getName())).toList())
          .withNewPreferredVersion().withGroupVersion(group + "/" + preferred).withVersion(preferred)
          .endPreferredVersion()
        .endGroup()
        .build();
  }

  static APIResourceList resourceList(CustomResourceDefinition crd, String groupVersion) {
    CustomResourceDefinitionNames names = crd.getSpec().getNames();
    boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
    return new APIResourceListBuilder()
        .withGroupVersion(groupVersion)
        .addNewResource()
          .withName(names.getPlural())
          .withSingularName(names.getSingular())
          .withNamespaced(namespaced)
          .withKind(names.getKind())
          .withShortNames(names.getShortNames())
          .withCategories(names.getCategories())
          .withVerbs("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
        .endResource()
        .addNewResource()
          .withName(names.getPlural() + "/status")
          .withSingularName("")
          .withNamespaced(namespaced)
          .withKind(names.getKind())
          .withVerbs("get", "patch", "update")
        .endResource()
        .build();
  }

  /** Writes {@code status} on the release as the operator would: through the status subresource. */
  void setStatus(String namespace, String name, StagingReleaseStatus status) {
    ObjectMapper json = new ObjectMapper();
    JsonNode patch = json.createArrayNode().add(json.createObjectNode().put("op", "add").put("path", "/status")
        .set("value", json.valueToTree(status)));
    client.resources(StagingRelease.class).inNamespace(namespace).withName(name).subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch.toString());
  }

  /** A kubeconfig file for the mock, for kubectl. */
  Path kubeconfig(Path dir) throws IOException {
    return kubeconfig(dir, "kubeconfig", "mock");
  }

  /** A kubeconfig file for an operator process: its requests are recorded. */
  Path operatorKubeconfig(Path dir) throws IOException {
    return kubeconfig(dir, "operator-kubeconfig", OPERATOR_TOKEN);
  }

  private Path kubeconfig(Path dir, String name, String token) throws IOException {
    String url = client.getMasterUrl().toString().replaceAll("/$", "");
    Path file = dir.resolve(name);
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: mock
            namespace: default
        current-context: mock
        users:
        - name: mock
          user:
            token: %s
        """.formatted(url, token));
    return file;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
