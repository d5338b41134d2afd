# waggle — the targets the README promises a newcomer.
#   make demo   install what is missing, build, run the main job
#   make test   install what is missing, build, run every test suite
#   make build  BPF objects + TypeScript only

SHELL := /bin/bash
.DEFAULT_GOAL := help

# System packages the build, the tests and the lab use (Debian names).
APT_PACKAGES := clang llvm libbpf-dev bpftool iproute2 etcd-server etcd-client arping tcpdump \
                iputils-ping procps psmisc curl util-linux iptables conntrack containernetworking-plugins \
                gcc libc6-dev iperf3 sockperf nginx haproxy wrk

# Debian's clang finds <asm/types.h> only through the multiarch include dir. We compile against
# the UAPI headers (linux-libc-dev) rather than a generated vmlinux.h: the datapath touches only
# stable UAPI structs (ethhdr, arphdr, __sk_buff), and this keeps the build reproducible on any
# kernel, including one without BTF.
MULTIARCH  := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Ibpf -I/usr/include/$(MULTIARCH)

BPF_SRC := $(wildcard bpf/*.c bpf/tests/*.c)
BPF_OBJ := $(patsubst bpf/%.c,build/bpf/%.o,$(BPF_SRC))
BPF_HDR := $(wildcard bpf/lib/*.h bpf/tests/*.h)

.PHONY: help deps build bpf cni benchc ts test demo bench bench-service-lookup lint clean

help:
	@echo "make demo   - set up and run the lab demo (root)"
	@echo "make test   - set up and run every test suite (root)"
	@echo "make build  - build BPF objects and TypeScript"
	@echo "make bench  - run the benchmarks (root)"
	@echo "make bench-service-lookup - service lookup scaling vs kube-proxy (root)"

deps: .stamp-apt node_modules/.stamp

# Install only what is missing, so a second run costs nothing.
.stamp-apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@touch $@

node_modules/.stamp: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build: bpf cni benchc ts

# The CNI plugin's native fast path (cni/waggle-cni.c): a small C program, no libraries.
cni: build/cni/waggle-cni

build/cni/waggle-cni: cni/waggle-cni.c
	@mkdir -p $(dir $@)
	cc -O2 -Wall -Wextra -Werror -o $@ $<

# The service-lookup bench's C client and server (bench/service-lookup/*.c).
BENCH_C := $(patsubst bench/service-lookup/%.c,build/bench/%,$(wildcard bench/service-lookup/*.c))
benchc: $(BENCH_C)

build/bench/%: bench/service-lookup/%.c
	@mkdir -p $(dir $@)
	cc -O2 -Wall -Wextra -Werror -o $@ $<

bpf: $(BPF_OBJ)

build/bpf/%.o: bpf/%.c $(BPF_HDR)
	@mkdir -p $(dir $@)
	clang $(BPF_CFLAGS) -c $< -o $@

ts: node_modules/.stamp
	npx tsc -p tsconfig.json

lint: node_modules/.stamp
	npx biome check .

test: deps build lint
	node scripts/run-tests.mjs

demo: deps build
	node bin/waggle.js lab demo

# Benchmarks are not tests: they measure, print a table and write bench/results/*.json.
bench: deps build
	@for b in dist/bench/*.js; do echo "== $$b"; node $$b || exit 1; done

# Service lookup scaling, waggle's socket LB against kube-proxy's rule shapes (not in `make bench`:
# it has its own folder and takes up to 10 minutes); options: N=0,1000 ROUNDS=5.
bench-service-lookup: deps build
	node dist/bench/service-lookup/run.js $(if $(N),--n $(N)) $(if $(ROUNDS),--rounds $(ROUNDS)) $(if $(VARIANTS),--variants $(VARIANTS))

clean:
	rm -rf build dist .stamp-apt
