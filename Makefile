# Backstop: `make demo` shows the reconciler at work; `make test` runs the whole suite.
# Both install what a fresh Debian machine lacks (Docker engine, Compose v2, local images).
JAR := operator/target/backstop.jar
MVN := mvn -B

PREFIX ?= /usr/local

.PHONY: demo test test-faults bench build deps images image crd clean install

demo: images build
	bash scripts/demo.sh

test: images
	$(MVN) verify

# Kill-point suite (classes named *Faults*): SIGKILLs a real daemon at every step of a deploy with
# backup and a rollback with restore, and prints kill points survived / tried. `.ci/run` runs it too.
test-faults: images
	$(MVN) -Pfaults -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify

# Benchmarks (classes named *Benchmark) add rows to one table of medians beside same-run baselines
# and targets, printed at the end (and kept in operator/target/bench-table.txt); not part of test.
# Leaves no stack running and the engine out of swarm mode.
bench: images
	$(MVN) -Pbench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify

build:
	$(MVN) -q -DskipTests package

deps:
	bash scripts/install-deps.sh

images: deps
	bash scripts/build-images.sh

# The operator image backstop:<version> and backstop:dev, from Debian's packages (no registry).
image: deps build
	bash scripts/build-operator-image.sh

# Regenerates the committed CRD from the Java API classes (the build fails when they differ).
crd:
	$(MVN) -q -DskipTests process-classes
	cp operator/target/classes/META-INF/fabric8/stagingreleases.backstop.dev-v1.yml crds/
	cp crds/stagingreleases.backstop.dev-v1.yml manifests/crd.yaml
	cp crds/stagingreleases.backstop.dev-v1.yml helm/backstop/crds/

# `backstop` and the kubectl plugin `kubectl-backstop` into $(PREFIX)/bin, the jar into
# $(PREFIX)/lib/backstop/.
install: build
	bash scripts/install.sh $(JAR) $(PREFIX)

clean:
	$(MVN) -q clean
	rm -rf demo-work
