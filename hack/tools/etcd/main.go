// Command etcd is the etcd server, built from the pinned module so the local
// cluster needs no prebuilt release archive.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
