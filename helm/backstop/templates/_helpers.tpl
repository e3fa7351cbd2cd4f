{{- define "backstop.name" -}}backstop{{- end -}}
{{- define "backstop.labels" -}}
app.kubernetes.io/name: backstop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "backstop.rules" -}}
- apiGroups: ["backstop.dev"]
  resources: ["stagingreleases"]
  verbs: ["get", "list", "watch", "patch", "update"]
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
