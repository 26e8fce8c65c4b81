#!/usr/bin/env bash
# Runs one of the project's benchmarks; each prints its ratio against a baseline measured in the
# same run, and exits non-zero when the ratio misses its target. Results go in docs/benchmarks.md.
#
#   usage: scripts/benchmark.sh serde  [seconds-per-round] [rounds]
#          scripts/benchmark.sh ingest [seconds-of-work] [rounds]   (needs the ffmpeg CLI)
#          scripts/benchmark.sh worker [seconds] [blazeface|bright|coco ...]
#          scripts/benchmark.sh http [seconds-per-round] [rounds]
#          scripts/benchmark.sh roboflow [seconds-per-round] [rounds]
#          scripts/benchmark.sh cascade [seconds-per-round] [rounds]
#          scripts/benchmark.sh sse [records] [rounds]
#          scripts/benchmark.sh batching [loops-per-stream] [rounds]
#          scripts/benchmark.sh aggregator [streams] [frames-per-stream]
#          scripts/benchmark.sh local
#          scripts/benchmark.sh drain
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export ORT_DISABLE_TELEMETRY=1

case "${1:-}" in
  serde) module=schemas; main=io.panoptes.schemas.bench.SerdeBenchmark ;;
  ingest) module=ingest; main=io.panoptes.ingest.bench.IngestBenchmark ;;
  worker) module=app; main=io.panoptes.worker.bench.WorkerBenchmark ;;
  http) module=inference-worker; main=io.panoptes.worker.bench.HttpInferenceBenchmark ;;
  roboflow) module=inference-worker; main=io.panoptes.worker.bench.RoboflowBenchmark ;;
  cascade) module=inference-worker; main=io.panoptes.worker.CascadeBenchmark ;;
  sse) module=api; main=io.panoptes.api.bench.SseBenchmark ;;
  batching) module=app; main=io.panoptes.worker.bench.BatchingBenchmark ;;
  aggregator) module=aggregator; main=io.panoptes.aggregator.bench.AggregatorBenchmark ;;
  local) module=app; main=io.panoptes.app.bench.LocalBenchmark ;;
  drain) module=app; main=io.panoptes.worker.bench.DrainBenchmark ;;
  *) echo "usage: $0 serde|ingest|worker|http|roboflow|cascade|sse|batching|aggregator|local|drain [args...]" >&2; exit 2 ;;
esac
shift
mvn -q -B -DskipTests -pl "$module" -am install >&2
mvn -q -B -pl "$module" exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xms1g -Xmx1g ${BENCH_JVM_ARGS:-} -cp %classpath $main $*"
