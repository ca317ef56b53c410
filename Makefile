# panther — see README.md. `make help` lists the targets.
GO      ?= go
BIN     := bin/panther
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS := -X panther/cmd.Version=$(VERSION) -X panther/cmd.Commit=$(COMMIT)
# Benchmarks: make bench BENCH=Replay COUNT=5. BENCHTAGS=lake_pqarrow builds
# the Parquet writer the lake's is compared with into the test binaries
# (lake/candidate_pqarrow.go; it then writes every in-process lake):
# make bench BENCH=ParquetWriters BENCHTAGS=lake_pqarrow.
BENCH   ?= .
COUNT   ?= 1
BENCHTAGS ?=

.PHONY: help build test bench lint run demo screenshots fuzz clean docs

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

build: ## build bin/panther
	CGO_ENABLED=1 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/panther

test: lint ## gofmt and go vet, then the whole test suite (fuzz seed corpora included)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || \
		echo "NOTE: no Chromium found: the console's browser tests will be SKIPPED (apt-get install -y chromium to run them)"
	$(GO) test -count=1 -timeout 15m ./...

bench: ## run the benchmarks (BENCH=regexp COUNT=n)
	$(GO) test -tags '$(BENCHTAGS)' -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) -timeout 60m ./...

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags lake_pqarrow ./lake/

run: build ## build, then run the main job on the shipped detections and samples
	$(BIN) replay testdata/samples --lake out/lake

demo: build ## after make run: serve the console on its lake with the samples' alerts (http://127.0.0.1:8080)
	@test -d out/lake || $(MAKE) run
	BIN=$(BIN) scripts/demo.sh

screenshots: build ## the README's console screenshots (docs/console/*.png), taken in Chromium on make demo
	@test -d out/lake || $(MAKE) run
	BIN=$(BIN) PANTHER_DEMO_LISTEN=127.0.0.1:18080 scripts/demo.sh $(GO) test -count=1 -run TestScreenshots -v ./console

fuzz: ## fuzz one target for a while: make fuzz PKG=./parsers/aws FUZZ=FuzzCloudTrail TIME=60s
	$(GO) test -run '^$$' -fuzz '$(FUZZ)' -fuzztime $(or $(TIME),60s) $(PKG)

clean: ## remove build output
	rm -rf bin

docs: ## write docs/reference from the code (commands, spec keys, Lua modules, log types); make test checks it is current
	$(GO) run ./cmd/panther docs --out docs/reference
