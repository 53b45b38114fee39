# shellcheck shell=bash
# Sourced by hack/local-stack.sh and hack/e2e-local.sh: the instance `make demo` and the end-to-end
# suite share (its own state directory and ports, apart from the default instance the
# integration tests use). Each setting can be overridden from the environment.
export STREAMING_ORDERS_RUN="${STREAMING_ORDERS_RUN:-$REPO/.run/e2e-local}"
export CLUSTER_ETCD_PORT="${CLUSTER_ETCD_PORT:-22379}"
export CLUSTER_APISERVER_PORT="${CLUSTER_APISERVER_PORT:-26443}"
export CLUSTER_CONTROLLER_MANAGER_PORT="${CLUSTER_CONTROLLER_MANAGER_PORT:-30257}"
export CLUSTER_SCHEDULER_PORT="${CLUSTER_SCHEDULER_PORT:-30259}"
export KAFKA_PORT="${KAFKA_PORT:-29092}"
# One broker: the pipelines' topics have replication factor 1.
export KAFKA_BROKERS=1
