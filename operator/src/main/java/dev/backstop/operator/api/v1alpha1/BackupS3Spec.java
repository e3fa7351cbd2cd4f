package dev.backstop.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How to reach the S3-compatible store that spec.backup.storage: s3://bucket/prefix names. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupS3Spec {

  @JsonPropertyDescription(
      "URL of the S3 API, e.g. http://minio.backups:9000 for an S3-compatible server. Default: AWS for the region.")
  private String endpoint;

  @JsonPropertyDescription("Region of the bucket. Default: AWS_REGION of Backstop's environment, else us-east-1.")
  private String region;

  @JsonPropertyDescription(
      "Address the bucket in the URL path rather than the host name, as most S3-compatible servers need. Default: true with an endpoint, false for AWS.")
  private Boolean pathStyle;

  @JsonPropertyDescription(
      "Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (local mode: secrets/<name>.env beside the manifests). Default: those variables of Backstop's own environment.")
  private SecretReference secretRef;

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Boolean getPathStyle() {
    return pathStyle;
  }

  public void setPathStyle(Boolean pathStyle) {
    this.pathStyle = pathStyle;
  }

  public SecretReference getSecretRef() {
    return secretRef;
  }

  public void setSecretRef(SecretReference secretRef) {
    this.secretRef = secretRef;
  }
}
