// CoreDNS for the local node, with only the plugins the cluster's Corefile uses
// (hack/node/coredns.yaml): a smaller build and dependency graph than upstream's
// full plugin set. The version is pinned in go.mod.
package main

import (
	"log"

	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() {
	// Execution order, as in upstream's generated list.
	if err := dnsserver.SetDirectives([]string{
		"reload", "ready", "health", "prometheus", "errors", "log",
		"loadbalance", "cache", "kubernetes",
	}); err != nil {
		log.Fatal(err)
	}
	coremain.Run()
}
