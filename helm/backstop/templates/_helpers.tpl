{{- define "backstop.name" -}}backstop{{- end -}}
{{- define "backstop.labels" -}}
app.kubernetes.io/name: backstop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- /* Exactly the calls ClusterHaIT records; the finalizer is added and removed by patch. */ -}}
{{- define "backstop.rules" -}}
- apiGroups: ["backstop.dev"]
  resources: ["stagingreleases"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["backstop.dev"]
  resources: ["stagingreleases/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
