// The pod sandbox ("pause") binary for the local node; no dependencies.
module streaming-orders/hack/tools/pause

go 1.24.0
