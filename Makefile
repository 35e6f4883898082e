# cadrestat — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
export GOFLAGS := -mod=readonly
export CADRESTAT_CACHE ?= $(CURDIR)/.cache
TESTCH := $(CURDIR)/.cache/clickhouse-test
TESTCLUSTER := $(CURDIR)/.cache/clickhouse-cluster
# The linters, pinned; each version is built once into .cache/tools by the Go toolchain.
STATICCHECK_VERSION := v0.8.2
GOLANGCI_LINT_VERSION := v2.15.0
TOOLS := $(CURDIR)/.cache/tools
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: run test test-cluster build engine assets generate check-generate lint e2e bench clean

## run: fetch the engine library if missing, build, load the bundled data, serve on :8080
run: build
	./bin/cadrestat serve

build: engine assets
	$(GO) build -o bin/cadrestat ./cmd/cadrestat

engine:
	@scripts/fetch-engine.sh

assets:
	@scripts/build-assets.sh

generate:
	$(GO) generate ./...

## check-generate: regenerating the GraphQL code must leave no diff
check-generate:
	$(GO) generate ./...
	@git diff --exit-code -- graph/ || { echo "generated code differs from 'go generate ./...': regenerate and commit" >&2; exit 1; }

## cross-check: the module builds for macOS and vets for Windows (the embedded engine is
## Linux-only and says so there; the server engine runs everywhere)
cross-check: assets
	GOOS=darwin $(GO) build ./...
	GOOS=windows $(GO) vet ./...

## lint: staticcheck and golangci-lint (.golangci.yaml) must find nothing
lint: assets $(STATICCHECK) $(GOLANGCI_LINT)
	$(STATICCHECK) ./...
	$(GOLANGCI_LINT) run --timeout 10m ./...

# go install writes a tool under its own name; it is kept under name-version so a new pin
# builds anew. GOFLAGS is cleared: -mod=readonly does not apply to pkg@version.
$(STATICCHECK):
	@mkdir -p $(TOOLS)/staticcheck.tmp
	GOFLAGS= GOBIN=$(TOOLS)/staticcheck.tmp $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(TOOLS)/staticcheck.tmp/staticcheck $@ && rmdir $(TOOLS)/staticcheck.tmp

$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS)/golangci-lint.tmp
	GOFLAGS= GOBIN=$(TOOLS)/golangci-lint.tmp $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv $(TOOLS)/golangci-lint.tmp/golangci-lint $@ && rmdir $(TOOLS)/golangci-lint.tmp

## test: everything the tests need (engine library, assets, a local ClickHouse server, pandas and
## LibreOffice for the export round-trips), then every test
test: engine assets check-generate cross-check lint
	$(GO) vet ./...
	@scripts/ensure-sheet-tools.sh
	@rm -rf $(TESTCH); addr=$$(scripts/clickhouse-test-server.sh $(TESTCH)); \
	trap 'scripts/clickhouse-test-server.sh stop $(TESTCH)' EXIT; \
	CADRESTAT_TEST_CLICKHOUSE=$$addr $(GO) test -count=1 -timeout 12m ./...
	$(MAKE) test-cluster
	$(MAKE) e2e

## test-cluster: a ClickHouse cluster of 2 shards x 2 replicas with ZooKeeper on loopback
## (Debian's 18.16 and zookeeper, installed if missing), then the Store contract suite through
## its Distributed tables, the failover tests and `serve -clickhouse-cluster` against the
## embedded engine; the cluster is stopped afterwards, whatever happens
test-cluster: build
	@scripts/clickhouse-cluster.sh stop $(TESTCLUSTER); rm -rf $(TESTCLUSTER); \
	trap 'scripts/clickhouse-cluster.sh stop $(TESTCLUSTER)' EXIT; \
	scripts/clickhouse-cluster.sh start $(TESTCLUSTER) >/dev/null && \
	CADRESTAT_TEST_CLUSTER=$(TESTCLUSTER) CADRESTAT_BIN=$(CURDIR)/bin/cadrestat \
	  $(GO) test -count=1 -timeout 10m -run '^TestCluster' ./warehouse/clickhouse/...

## e2e: the explorer in headless Chromium against the real binary; screenshot in test-output/
e2e: build
	@scripts/ensure-chromium.sh
	cd web && CADRESTAT_BIN=../bin/cadrestat CADRESTAT_TEST_OUTPUT=../test-output node --test e2e/

## bench: the benchmark harness (not part of make test); BENCH_FLAGS="-scales S,M -d 10s -c 16"
bench: build
	$(GO) run ./bench $(BENCH_FLAGS)

clean:
	rm -rf bin var .cache/clickhouse-test .cache/clickhouse-cluster
