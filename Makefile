# Overcast's entry points. `make test` is what CI runs (.ci/run).
GO ?= go
FUZZTIME ?= 3s

.PHONY: build test unit fuzz conformance bench generate

build:
	$(GO) build -o bin/overcast ./cmd/overcast

generate:
	$(GO) generate ./internal/protocol/...

# test runs everything CI runs: unit and store suites (SQLite and PostgreSQL), short fuzzing
# of every decoder, and the conformance suites against the built binary.
test:
	./scripts/ensure-postgres
	$(GO) vet ./...
	$(GO) build -o bin/overcast ./cmd/overcast
	OVERCAST_BINARY=$(CURDIR)/bin/overcast $(GO) test -count=1 ./...
	./scripts/fuzz-all $(FUZZTIME)

bench: build
	$(GO) run ./bench $(BENCHFLAGS)
