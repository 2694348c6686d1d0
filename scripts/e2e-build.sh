#!/usr/bin/env bash
# Builds the real programs the end-to-end tier runs, at the versions the library pins, from their Go
# modules, into a cache outside the repository that later runs reuse:
#   ${OBS_E2E_CACHE:-$HOME/.cache/obs-platform-e2e}/bin/<program>
# Only permissively licensed programs (Thanos, Prometheus, Alertmanager, node_exporter,
# VictoriaMetrics' vmagent, vmauth, vmbackup and vmrestore, the OpenTelemetry Collector, kube-apiserver and etcd: Apache-2.0;
# Jaeger v2, whose module's v1.x tags build the v2 binary (v1.76.0 is Jaeger 2.13.0): Apache-2.0;
# SeaweedFS' weed, the embedded object store (the module's pseudo-version of the 4.53 release, whose
# tags are not semantic versions): Apache-2.0; kfake, which stands in for Kafka: BSD-3). Modules whose go.mod has replace
# directives cannot be `go install`ed, so each module is downloaded, copied to a writable scratch
# directory and built there. Prometheus 3.x is tagged v0.3xx.y as a Go module: v0.314.0 is
# Prometheus 3.14.0.
# The VictoriaMetrics cluster programs (vminsert, vmselect, vmstorage) live on a branch whose tags
# (v1.151.0-cluster) the Go module proxy does not serve, so vmagent is built, and the single-node
# server of the same release, which stands in for the cluster where a scenario needs a receiver.
set -euo pipefail

cache="${OBS_E2E_CACHE:-$HOME/.cache/obs-platform-e2e}"
mkdir -p "$cache/bin" "$cache/src"
export GOFLAGS=-mod=mod GOWORK=off

# program  module  version  package  build tags (those of the upstream release, from its .promu.yml;
# Thanos' gogoproto code depends on `slicelabels` and crashes on its first gRPC answer without it;
# Prometheus' `builtinassets` needs its npm-built UI, which the tests do not use)
PROGRAMS=(
  "thanos        github.com/thanos-io/thanos          v0.42.4  ./cmd/thanos        netgo,slicelabels"
  "prometheus    github.com/prometheus/prometheus     v0.314.0 ./cmd/prometheus    netgo"
  "promtool      github.com/prometheus/prometheus     v0.314.0 ./cmd/promtool      netgo"
  "alertmanager  github.com/prometheus/alertmanager   v0.34.0  ./cmd/alertmanager  netgo"
  "amtool        github.com/prometheus/alertmanager   v0.34.0  ./cmd/amtool        netgo"
  "vmagent       github.com/VictoriaMetrics/VictoriaMetrics v1.151.0 ./app/vmagent netgo"
  "victoria-metrics github.com/VictoriaMetrics/VictoriaMetrics v1.151.0 ./app/victoria-metrics netgo"
  "vmauth        github.com/VictoriaMetrics/VictoriaMetrics v1.151.0 ./app/vmauth netgo"
  "vmbackup      github.com/VictoriaMetrics/VictoriaMetrics v1.151.0 ./app/vmbackup netgo"
  "vmrestore     github.com/VictoriaMetrics/VictoriaMetrics v1.151.0 ./app/vmrestore netgo"
  "node_exporter github.com/prometheus/node_exporter   v1.12.1  .                   netgo"
  "jaeger        github.com/jaegertracing/jaeger      v1.76.0  ./cmd/jaeger        -"
  "weed          github.com/seaweedfs/seaweedfs       v0.0.0-20261109003541-7506e5f91cd6 ./weed -"
)

for line in "${PROGRAMS[@]}"; do
  read -r name module version package tags <<<"$line"
  [ "$tags" = "-" ] && tags=""
  stamp="$cache/bin/$name.version"
  # The version the program reports: Prometheus 3.x modules are tagged v0.3xx.y for 3.xx.y.
  shown=${version#v}
  if [ "$module" = github.com/prometheus/prometheus ]; then
    IFS=. read -r _ minor patch <<<"$shown"
    shown="3.$((minor - 300)).$patch"
  fi
  if [ -x "$cache/bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version tags=$tags shown=$shown" ]; then
    echo "e2e-build: $name $version cached"
    continue
  fi
  src="$cache/src/${module//\//_}@$version"
  if [ ! -d "$src" ]; then
    dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
    cp -r "$dir" "$src.tmp" && chmod -R u+w "$src.tmp"
    # Alertmanager embeds its web UI from ui/app/dist, which npm builds and the module zip lacks;
    # the tests use the API only, so a placeholder page is enough.
    if [ -d "$src.tmp/ui/app" ] && [ ! -d "$src.tmp/ui/app/dist" ]; then
      mkdir -p "$src.tmp/ui/app/dist" && echo '<!doctype html><title>Alertmanager</title>' > "$src.tmp/ui/app/dist/index.html"
    fi
    mv "$src.tmp" "$src"
  fi
  start=$(date +%s)
  # SeaweedFS' release images are built with cgo off; so is the copy the tests run.
  cgo=1; [ "$name" = weed ] && cgo=0
  (cd "$src" && CGO_ENABLED=$cgo go build -trimpath -tags "$tags" \
    -ldflags "-X github.com/prometheus/common/version.Version=$shown -X github.com/prometheus/common/version.Revision=module" \
    -o "$cache/bin/$name.tmp" "$package")
  mv "$cache/bin/$name.tmp" "$cache/bin/$name"
  echo "$module@$version tags=$tags shown=$shown" > "$stamp"
  echo "e2e-build: $name $version built in $(( $(date +%s) - start ))s"
done

# A program whose stamp matches is reused; `built NAME STAMP` says whether to skip it.
built() { [ -x "$cache/bin/$1" ] && [ "$(cat "$cache/bin/$1.version" 2>/dev/null)" = "$2" ]; }

# kfake, franz-go's in-memory Kafka (BSD-3), which stands in for the Kafka broker: a small main of
# our own in scripts/kfake, whose go.sum pins its modules.
kfake_dir="$(cd "$(dirname "$0")/kfake" && pwd)"
kfake_stamp="kfake $(cat "$kfake_dir/go.mod" "$kfake_dir/go.sum" "$kfake_dir/main.go" | sha256sum | cut -c1-16)"
if built kfake "$kfake_stamp"; then
  echo "e2e-build: kfake cached"
else
  start=$(date +%s)
  (cd "$kfake_dir" && GOFLAGS=-mod=readonly go build -trimpath -o "$cache/bin/kfake" .)
  echo "$kfake_stamp" > "$cache/bin/kfake.version"
  echo "e2e-build: kfake built in $(( $(date +%s) - start ))s"
fi

# The OpenTelemetry Collector: its builder generates a main package from scripts/otelcol-builder.yaml
# and compiles it.
otel_version=v0.158.0
otel_stamp="builder@$otel_version $(sha256sum "$(dirname "$0")/otelcol-builder.yaml" | cut -c1-16)"
if built otelcol "$otel_stamp"; then
  echo "e2e-build: otelcol $otel_version cached"
else
  start=$(date +%s)
  out="$cache/src/otelcol-$otel_version"
  sed "s|OUTPUT_PATH|$out|" "$(dirname "$0")/otelcol-builder.yaml" > "$cache/src/otelcol-builder.yaml"
  go run "go.opentelemetry.io/collector/cmd/builder@$otel_version" --config "$cache/src/otelcol-builder.yaml" \
    > "$cache/src/otelcol-build.log" 2>&1 || { cat "$cache/src/otelcol-build.log" >&2; exit 1; }
  mv "$out/otelcol" "$cache/bin/otelcol"
  echo "$otel_stamp" > "$cache/bin/otelcol.version"
  echo "e2e-build: otelcol $otel_version built in $(( $(date +%s) - start ))s"
fi

# kube-apiserver and the etcd it is released with (k8s.io/kubernetes' own go.mod names it). The
# kubernetes module replaces its staging modules (k8s.io/api, ...) by local paths that its zip
# lacks, so a small module requires it and replaces each staging module by its published release.
kube_version=v1.36.3
kube_stamp="k8s.io/kubernetes@$kube_version"
if built kube-apiserver "$kube_stamp" && built etcd "$kube_stamp"; then
  echo "e2e-build: kube-apiserver and etcd for $kube_version cached"
else
  start=$(date +%s)
  kube_minor=${kube_version#v1.}; kube_minor=${kube_minor%%.*}
  dir="$cache/src/kube-$kube_version"
  mkdir -p "$dir"
  kube_mod=$(go mod download -json "k8s.io/kubernetes@$kube_version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  {
    printf 'module obs-platform-e2e/kube\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$kube_version"
    awk -v v="v0.${kube_version#v1.}" '$2 == "=>" && $3 ~ /^\.\/staging\// { printf "\t%s => %s %s\n", $1, $1, v }' "$kube_mod"
    printf ')\n'
  } > "$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "go.etcd.io/etcd/server/v3"\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n)\n' > "$dir/tools.go"
  (cd "$dir" && go mod tidy && go build -trimpath -o "$cache/bin/etcd" go.etcd.io/etcd/server/v3 \
    && go build -trimpath -ldflags "-X k8s.io/component-base/version.gitVersion=$kube_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$kube_minor" \
      -o "$cache/bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  echo "$kube_stamp" > "$cache/bin/kube-apiserver.version"
  echo "$kube_stamp" > "$cache/bin/etcd.version"
  echo "e2e-build: kube-apiserver and etcd for $kube_version built in $(( $(date +%s) - start ))s"
fi

# kubectl of the same release, which applies the Secrets the generator Jobs make: built in the
# kube-apiserver's module directory, which already requires k8s.io/kubernetes.
kubectl_stamp="k8s.io/kubernetes/cmd/kubectl@$kube_version"
if built kubectl "$kubectl_stamp"; then
  echo "e2e-build: kubectl $kube_version cached"
else
  start=$(date +%s)
  dir="$cache/src/kube-$kube_version"
  grep -q 'cmd/kubectl"' "$dir/tools.go" || sed -i 's|\t_ "k8s.io/kubernetes/cmd/kube-apiserver"|&\n\t_ "k8s.io/kubernetes/cmd/kubectl"|' "$dir/tools.go"
  (cd "$dir" && go mod tidy && go build -trimpath -o "$cache/bin/kubectl" k8s.io/kubernetes/cmd/kubectl)
  echo "$kubectl_stamp" > "$cache/bin/kubectl.version"
  echo "e2e-build: kubectl $kube_version built in $(( $(date +%s) - start ))s"
fi
