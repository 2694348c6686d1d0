#!/usr/bin/env bash
# Builds the real programs the end-to-end tier runs, at the versions the library pins, from their Go
# modules, into a cache outside the repository that later runs reuse:
#   ${OBS_E2E_CACHE:-$HOME/.cache/obs-platform-e2e}/bin/<program>
# Only permissively licensed programs (Thanos, Prometheus, Alertmanager: Apache-2.0; gofakes3, the
# S3 server that stands in for MinIO: MIT). Modules whose go.mod has replace directives cannot be
# `go install`ed, so each module is downloaded, copied to a writable scratch directory and built
# there. Prometheus 3.x is tagged v0.3xx.y as a Go module: v0.314.0 is Prometheus 3.14.0.
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
  "gofakes3      github.com/johannesboyne/gofakes3    v1.2.0   ./cmd/gofakes3      -"
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
  (cd "$src" && go build -trimpath -tags "$tags" \
    -ldflags "-X github.com/prometheus/common/version.Version=$shown -X github.com/prometheus/common/version.Revision=module" \
    -o "$cache/bin/$name.tmp" "$package")
  mv "$cache/bin/$name.tmp" "$cache/bin/$name"
  echo "$module@$version tags=$tags shown=$shown" > "$stamp"
  echo "e2e-build: $name $version built in $(( $(date +%s) - start ))s"
done
