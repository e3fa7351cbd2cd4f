{{- define "backstop.name" -}}backstop{{- end -}}
{{- define "backstop.labels" -}}
app.kubernetes.io/name: backstop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "backstop.selectorLabels" -}}
app.kubernetes.io/name: backstop
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- /* "nodeEngine" or "remoteEngines"; anything else stops the rendering with the choices. */ -}}
{{- define "backstop.mode" -}}
{{- if not (has .Values.mode (list "nodeEngine" "remoteEngines")) -}}
{{- fail (printf "mode must be nodeEngine or remoteEngines, not %q (see values.yaml)" (toString .Values.mode)) -}}
{{- end -}}
{{- .Values.mode -}}
{{- end -}}

{{- /* Replicas compete for a Lease only where several can run: remote engines. */ -}}
{{- define "backstop.leaderElection" -}}
{{- eq (include "backstop.mode" .) "remoteEngines" -}}
{{- end -}}

{{- define "backstop.stateDir" -}}
{{- if eq (include "backstop.mode" .) "nodeEngine" }}{{ .Values.state.hostPath }}{{ else }}/var/lib/backstop{{ end -}}
{{- end -}}

{{- /* The pod template of both workloads; the mode decides socket, state volume and init container. */ -}}
{{- define "backstop.podTemplate" -}}
{{- $nodeEngine := eq (include "backstop.mode" .) "nodeEngine" -}}
{{- $state := include "backstop.stateDir" . -}}
metadata:
  labels:
    {{- include "backstop.labels" . | nindent 4 }}
spec:
  serviceAccountName: {{ include "backstop.name" . }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    # The image's own user: ssh and Java take the home directory from its passwd entry.
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
    fsGroup: 65532
    fsGroupChangePolicy: OnRootMismatch
    seccompProfile:
      type: RuntimeDefault
    {{- if $nodeEngine }}
    supplementalGroups: [{{ .Values.docker.socket.gid }}]
    {{- end }}
  {{- if $nodeEngine }}
  initContainers:
    # hostPath directories are created root-owned and fsGroup does not apply to them.
    - name: state-owner
      image: {{ include "backstop.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command: ["chown", "65532:65532", {{ $state | quote }}]
      securityContext:
        runAsNonRoot: false
        runAsUser: 0
        runAsGroup: 0
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
          add: ["CHOWN"]
      volumeMounts:
        - name: state
          mountPath: {{ $state }}
  {{- end }}
  containers:
    - name: operator
      image: {{ include "backstop.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        - operator
        - --state={{ $state }}
        - --port={{ .Values.metrics.port }}
        - --compose-policy={{ .Values.composePolicy }}
        {{- if .Values.allowLocalSources }}
        - --allow-local-sources
        {{- end }}
        {{- if .Values.watchNamespaces }}
        - --namespaces={{ join "," .Values.watchNamespaces }}
        {{- end }}
        {{- if eq (include "backstop.leaderElection" .) "true" }}
        - --leader-election
        - --lease-namespace={{ .Release.Namespace }}
        {{- else }}
        - --no-leader-election
        {{- end }}
        {{- if .Values.gitHook.secretName }}
        - --hook-secret-file={{ include "backstop.hookSecretDir" . }}/{{ .Values.gitHook.secretKey }}
        {{- end }}
      {{- if or .Values.docker.host .Values.backups.s3.secretName .Values.backups.s3.region }}
      env:
        {{- with .Values.docker.host }}
        - name: DOCKER_HOST
          value: {{ . | quote }}
        {{- end }}
        {{- with .Values.backups.s3.secretName }}
        - name: AWS_ACCESS_KEY_ID
          valueFrom: {secretKeyRef: {name: {{ . | quote }}, key: AWS_ACCESS_KEY_ID}}
        - name: AWS_SECRET_ACCESS_KEY
          valueFrom: {secretKeyRef: {name: {{ . | quote }}, key: AWS_SECRET_ACCESS_KEY}}
        {{- end }}
        {{- with .Values.backups.s3.region }}
        - name: AWS_REGION
          value: {{ . | quote }}
        {{- end }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.metrics.port }}
      livenessProbe:
        httpGet: {path: /healthz, port: http}
        periodSeconds: 10
      readinessProbe:
        httpGet: {path: /readyz, port: http}
        periodSeconds: 5
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: state
          mountPath: {{ $state }}
        - name: tmp
          mountPath: /tmp
        - name: home
          mountPath: /home/backstop
        {{- if .Values.ssh.secretName }}
        - name: ssh
          mountPath: /home/backstop/.ssh
          readOnly: true
        {{- end }}
        {{- if .Values.gitHook.secretName }}
        - name: git-hook
          mountPath: {{ include "backstop.hookSecretDir" . }}
          readOnly: true
        {{- end }}
        {{- if $nodeEngine }}
        - name: docker-socket
          mountPath: /var/run/docker.sock
        {{- end }}
  volumes:
    {{- if $nodeEngine }}
    - name: state
      hostPath:
        path: {{ $state }}
        type: DirectoryOrCreate
    - name: docker-socket
      hostPath:
        path: {{ .Values.docker.socket.path }}
        type: Socket
    {{- end }}
    - name: tmp
      emptyDir: {}
    - name: home
      emptyDir: {}
    {{- if .Values.ssh.secretName }}
    - name: ssh
      secret:
        secretName: {{ .Values.ssh.secretName }}
        # Group-readable for fsGroup 65532; ssh checks the mode only of keys the user owns.
        defaultMode: 0440
    {{- end }}
    {{- if .Values.gitHook.secretName }}
    - name: git-hook
      secret:
        secretName: {{ .Values.gitHook.secretName }}
        # Only the webhook secret's key, so the file the operator reads is the one --hook-secret-file names.
        items:
          - key: {{ .Values.gitHook.secretKey }}
            path: {{ .Values.gitHook.secretKey }}
        defaultMode: 0440
    {{- end }}
{{- end -}}

{{- /* Where the push webhooks' Secret is mounted; --hook-secret-file names its key below it. */ -}}
{{- define "backstop.hookSecretDir" -}}/etc/backstop/git-hook{{- end -}}

{{- define "backstop.image" -}}
"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
{{- end -}}

{{- define "backstop.rules" -}}
- apiGroups: ["backstop.dev"]
  resources: ["stagingreleases"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["backstop.dev"]
  resources: ["stagingreleases/status"]
  verbs: ["patch"]
- apiGroups: [""]
  # list and watch: a change of a Secret or ConfigMap named by spec.compose.envFrom re-applies.
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  # create and patch: the rollback reports, in the ConfigMap <name>-rollback-reports.
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
