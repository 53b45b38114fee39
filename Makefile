# The README's commands. Everything a target needs (Node packages, Kafka jars, Kubernetes
# binaries) is fetched or built by the project's own scripts into ignored caches.
SHELL := /bin/bash
BIN := ./node_modules/.bin

.PHONY: demo test lint bench e2e-kind e2e-local clean deps tools

# `npm install --no-save` installs exactly the locked versions without rewriting the lock. `npm ci`
# refuses a lock that lacks other platforms' optional binaries (biome, rollup), and registries that
# only mirror this platform's packages produce exactly such a lock.
node_modules: package.json package-lock.json
	npm install --no-save --no-audit --no-fund
	@touch node_modules

deps: node_modules

## tools: build or fetch the pinned local Kafka and Kubernetes binaries (cached)
tools:
	hack/tools.sh build etcd kube-apiserver kube-controller-manager kube-scheduler kubectl helm
	hack/kafka.sh fetch

## demo: the main job as a user sees it: the chart installed on this machine's cluster with its node
## (hack/local-stack.sh, the one the e2e suite uses; root), the operator and workloads in pods.
## DEMO_MODE=processes runs the workloads as local processes instead (no root needed).
demo: node_modules
	$(BIN)/tsc -p tsconfig.build.json
	node dist/hack/demo/main.js

## lint: formatting and lint rules (biome), shell syntax, and types
lint: node_modules
	$(BIN)/biome check .
	bash -n hack/*.sh hack/*/*.sh
	$(BIN)/tsc -p tsconfig.json

## test: everything — lint, unit tests, integration tests on a real broker and API server, then
## the end-to-end suite on this machine's cluster with a node (chart, pods, scaling, replay)
test: lint
	$(BIN)/vitest run
	hack/e2e-local.sh

## bench: benchmarks; figures go to bench/results/
bench: node_modules
	$(BIN)/tsc -p tsconfig.build.json
	node dist/bench/run.js

## e2e-kind: the end-to-end suite on a kind cluster (needs Docker)
e2e-kind: node_modules
	hack/kind-e2e.sh

## e2e-local: the end-to-end suite on this machine's own cluster with a node (root; hack/e2e-local.sh)
e2e-local: node_modules
	hack/e2e-local.sh

## clean: stop local services and remove build output and caches
clean:
	-hack/local-stack.sh down
	-hack/cluster.sh down
	-hack/kafka.sh down
	rm -rf dist .run .cache coverage
