# lambda.mk: fast Rust AWS Lambda builds in Docker, for any Makefile.
#   include $(or $(shell pkg-config --variable=mkfile lambda-make),$(error …))  (README)
# Everything defined here is named lambda-* / LAMBDA_*; the including Makefile's own
# targets, default goal and variables stay exactly as they were. `make lambda-help`.
ifndef LAMBDA__INCLUDED
LAMBDA__INCLUDED := 1
LAMBDA__GOAL := $(.DEFAULT_GOAL)

# Installed: lambda-paths.mk beside this file says where the module lives.
# Build tree: lambda-uninstalled.mk sets LAMBDA_PLUGIN and LAMBDA_HOME first.
LAMBDA__HERE := $(dir $(lastword $(MAKEFILE_LIST)))
ifneq ($(wildcard $(LAMBDA__HERE)lambda-paths.mk),)
include $(LAMBDA__HERE)lambda-paths.mk
endif
ifeq ($(strip $(LAMBDA_PLUGIN)),)
$(error lambda-make: LAMBDA_PLUGIN is not set: include the installed lambda.mk (pkg-config --variable=mkfile lambda-make) or the build tree's lambda-uninstalled.mk)
endif
ifeq ($(filter $(LAMBDA_PLUGIN),$(.LOADED)),)
load $(LAMBDA_PLUGIN)
endif

# --- settings (override on the command line, in the environment or before the include)
LAMBDA_DIR ?= $(CURDIR)
LAMBDA_ARCH ?= x86_64
LAMBDA_RUNTIME ?= al2023
LAMBDA_BASE_IMAGE ?=
LAMBDA_CARGO_FLAGS ?=
LAMBDA_FUNCTIONS ?=
LAMBDA_CONTAINER ?= lambda-rust-dev
LAMBDA_DOCKER ?= docker
LAMBDA_CARGO_HOME ?=
LAMBDA_PROJECT ?=
LAMBDA_VERBOSE ?=
LAMBDA_EXCLUDE ?=
LAMBDA_CACHE_REGISTRY ?=
LAMBDA_FUNCTION ?=
LAMBDA_EVENT ?=
LAMBDA_TIMEOUT ?= 3
LAMBDA_WATCH_ADDR ?= 127.0.0.1:9000
LAMBDA_SAM_FUNCTIONS ?=
LAMBDA_EXTENSIONS ?=
LAMBDA_HOME ?= $(patsubst %/,%,$(if $(filter %/templates/,$(LAMBDA__HERE)),$(dir $(LAMBDA__HERE:/=)),$(LAMBDA__HERE)))
LAMBDA__E :=
# A setting from the environment is data, not make code: its text is kept as it
# is, so a $(...) in it (a CI variable, a branch name) is never expanded or run.
# (The Makefile and make's command line are make code, as always.)
$(foreach v,$(filter LAMBDA_%,$(.VARIABLES)) SOURCE_DATE_EPOCH,$(if $(filter environment,$(origin $v)),$(eval $v := $$(value $v))))
# The base image builds use: LAMBDA_BASE_IMAGE, or for LAMBDA_RUNTIME=al2 the al2
# builder image (zig for glibc 2.26), whose name builder-image.sh computes from its
# recipe; asked once per make run, and only then.
LAMBDA__BASE = $(or $(strip $(LAMBDA_BASE_IMAGE)),$(if $(filter al2,$(strip $(LAMBDA_RUNTIME))),$(LAMBDA__AL2_IMAGE)))
LAMBDA__AL2_IMAGE = $(eval LAMBDA__AL2_IMAGE := $(shell $(lambda-quote $(LAMBDA_HOME)/docker/builder-image.sh) --runtime=al2 --print-ref))$(LAMBDA__AL2_IMAGE)

# The selected architectures, as the core reads LAMBDA_ARCH; none for an invalid
# value, which lambda-validate reports before any build (nothing here fails at
# parse time).
LAMBDA__SEL = $(lambda-archs $(LAMBDA_ARCH))
LAMBDA__ARCHS := x86_64 arm64
# The directories lambda-make writes in a project, as the core names them (they
# depend on no setting): its own (.lambda) and lambda-prod's packages (target/lambda).
LAMBDA__OWN := $(lambda-config own_dir)
LAMBDA__PKG := $(lambda-config pkg_dir)
# make -n expands recipes without running them: nothing to check then.
LAMBDA__DRYRUN = $(findstring n,$(firstword -$(MAKEFLAGS)))

# No .DELETE_ON_ERROR here: it would apply to the including Makefile's own targets
# (Property 7). Our targets are phony; every file they produce appears by rename.
.PHONY: lambda-prod lambda-dev lambda-docker lambda-clean lambda-help lambda-config \
	lambda-check lambda-validate lambda-context lambda-dev-start lambda-dev-stop \
	lambda-dev-status lambda-explain lambda-invoke lambda-watch lambda-dev-update lambda-dev-key lambda-prune \
	$(foreach a,$(LAMBDA__ARCHS),$(foreach s,base deps build runtime prod check,lambda-$s-$a))

# Recipes below expand to nothing when a stage's content key is unchanged, so a
# no-op run starts no shell and no docker command.
lambda-validate:
	$(if $(lambda-config),)

# make -n writes nothing: the context is synced only by a real run.
lambda-context: lambda-validate
	$(if $(LAMBDA__DRYRUN),,$(if $(lambda-context),))

define LAMBDA__ARCH_RULES
lambda-base-$(1): lambda-context
	$$(lambda-step base,$(1))
lambda-deps-$(1): lambda-base-$(1)
	$$(lambda-step deps,$(1))
lambda-build-$(1): lambda-deps-$(1)
	$$(lambda-step build,$(1))
lambda-runtime-$(1): lambda-deps-$(1)
	$$(lambda-step runtime,$(1))
lambda-prod-$(1): lambda-runtime-$(1)
	$$(if $$(LAMBDA__DRYRUN),,$$(info $$(lambda-check $$(LAMBDA_DIR)/$$(LAMBDA__PKG)/$(1),$(1),$$(LAMBDA_RUNTIME))))
lambda-check-$(1): lambda-validate
	$$(info $$(lambda-check $$(LAMBDA_DIR)/$$(LAMBDA__PKG)/$(1),$(1),$$(LAMBDA_RUNTIME)))
endef
$(foreach a,$(LAMBDA__ARCHS),$(eval $(call LAMBDA__ARCH_RULES,$a)))

# Both architectures build at the same time, -j or not (the engine has cores to
# spare while one arch links): lambda-prod runs make again on the Makefile that
# was read first, for the arch targets, with -j2 unless this make has a -j of
# its own (then the sub-make shares its job slots). A first makefile that cannot
# be named again (-f -, a path with spaces): one after the other.
LAMBDA__TOP := $(abspath $(firstword $(MAKEFILE_LIST)))
LAMBDA__BOTH = $(and $(word 2,$(LAMBDA__SEL)),$(wildcard $(LAMBDA__TOP)))
lambda-prod: lambda-validate $(if $(LAMBDA__BOTH),,$(foreach a,$(LAMBDA__SEL),lambda-prod-$a))
	$(if $(LAMBDA__BOTH),@$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j2) -f $(lambda-quote $(LAMBDA__TOP)) $(foreach a,$(LAMBDA__SEL),lambda-prod-$a))

lambda-check: lambda-validate $(foreach a,$(LAMBDA__SEL),lambda-check-$a)

# Which stages a lambda-prod would run, and which inputs changed their keys.
lambda-explain: lambda-validate
	$(foreach a,$(LAMBDA__SEL),$(foreach s,base deps runtime,$(info $(lambda-explain $s,$a))))@:

# The legacy path: no layer cache at all, the same artifacts.
lambda-docker: lambda-context
	$(lambda-commands docker)

lambda-dev: lambda-validate
	$(lambda-commands dev)

lambda-dev-start lambda-dev-stop lambda-dev-status: lambda-validate
	@$(lambda-commands dev,,$(patsubst lambda-dev-%,%,$@))

# The dev build only when its content key changed (or a placed bootstrap is not
# the one it recorded): what lambda-invoke and lambda-watch run first. Their
# second line is expanded before the first runs: a bad LAMBDA_FUNCTION or
# LAMBDA_EVENT stops lambda-invoke before any build.
LAMBDA__DEVUPDATE = @$(lambda-step dev,$(LAMBDA__SEL))

lambda-dev-update: lambda-validate
	$(LAMBDA__DEVUPDATE)

lambda-dev-key: lambda-validate
	$(foreach a,$(LAMBDA__SEL),$(info $(lambda-key dev,$a)))@:

# One invocation of LAMBDA_FUNCTION: it alone is built.
lambda-invoke: override LAMBDA_FUNCTIONS = $(LAMBDA_FUNCTION)
lambda-invoke: lambda-validate
	$(LAMBDA__DEVUPDATE)
	@$(lambda-local invoke)

# It runs lambda-dev-update itself (first, and whenever lambda-dev-key changes).
lambda-watch: lambda-validate
	@$(lambda-local watch)

# This project's images, tags and dev container in the engine (lambda-prune.sh).
lambda-prune: lambda-validate
	$(lambda-commands prune)

lambda-clean:
	rm -rf -- $(lambda-quote $(LAMBDA_DIR)/$(LAMBDA__OWN)) $(lambda-quote $(LAMBDA_DIR)/$(LAMBDA__PKG))

lambda-config: lambda-validate
	$(info $(lambda-config))

# The help text is templates/lambda-help.txt, also the source of lambda.mk(7).
LAMBDA__HELP := $(LAMBDA__HERE)lambda-help.txt
LAMBDA__SHOWN := LAMBDA_DIR LAMBDA_ARCH LAMBDA_RUNTIME LAMBDA_BASE_IMAGE \
	LAMBDA_CARGO_FLAGS LAMBDA_FUNCTIONS LAMBDA_CONTAINER LAMBDA_DOCKER \
	LAMBDA_CARGO_HOME LAMBDA_PROJECT LAMBDA_VERBOSE LAMBDA_EXCLUDE LAMBDA_CACHE_REGISTRY LAMBDA_FUNCTION \
	LAMBDA_EVENT LAMBDA_TIMEOUT LAMBDA_WATCH_ADDR LAMBDA_SAM_FUNCTIONS LAMBDA_EXTENSIONS \
	LAMBDA_HOME LAMBDA_PLUGIN SOURCE_DATE_EPOCH

# Printed by the shell, not $(info): make expands $(info) before it runs the
# recipe's first line, which would put the values above the text.
lambda-help:
	@cat -- $(lambda-quote $(LAMBDA__HELP))
	@printf '\ncurrent values:\n'
	@printf '  %s\n' $(foreach v,$(LAMBDA__SHOWN),$(lambda-quote $v = $($v)))

# AWS SAM, BuildMethod: makefile: `sam build` runs `make --makefile CodeUri/Makefile
# build-<LogicalId>` (in a scratch copy of CodeUri by default) with ARTIFACTS_DIR set.
# One rule per LogicalId=bin entry, and none at all without the variable: the
# including Makefile's own build-% rules stay as they were. The entries are split
# here by text functions only; $(lambda-config) validates them (and
# lambda-step checks each bin) before anything builds.
LAMBDA__SAMIDS := $(foreach e,$(LAMBDA_SAM_FUNCTIONS),$(firstword $(subst =, ,$e)))
ifneq ($(LAMBDA__SAMIDS),)
# A build-* goal of ours: the settings are checked now, before the rule below asks
# lambda-sam-fresh, which checks the entry, the single arch and ARTIFACTS_DIR.
ifneq ($(filter $(addprefix build-,$(LAMBDA__SAMIDS)),$(MAKECMDGOALS)),)
LAMBDA__SAMCHECK := $(lambda-config)
endif
# SAM's scratch dir has a random name: the images are named after the dir of the
# Makefile SAM passes (CodeUri), so every sam build reuses the same tags.
LAMBDA__SAMHOME := $(patsubst %/,%,$(dir $(abspath $(firstword $(MAKEFILE_LIST)))))
LAMBDA__SAMPROJECT := $(or $(strip $(LAMBDA_PROJECT)),$(notdir $(LAMBDA__SAMHOME)))
# Each function of a sam build runs in its own scratch copy: the first one builds
# and stores every function's bootstrap under the content key in the project's
# .lambda/sam; the others (and a sam build of unchanged code) take theirs from
# there and build nothing (lambda-sam-fresh, asked only for a goal of ours).
LAMBDA__SAMSTORE := $(LAMBDA__SAMHOME)/$(LAMBDA__OWN)/sam
LAMBDA__SAMBUILD = $(if $(and $(filter build-$(1),$(MAKECMDGOALS)),$(lambda-sam-fresh $(1),$(LAMBDA__SAMSTORE))),,lambda-prod-$(firstword $(LAMBDA__SEL) x86_64))
define LAMBDA__SAM_RULE
.PHONY: build-$(1)
build-$(1): LAMBDA_PROJECT = $$(LAMBDA__SAMPROJECT)
build-$(1): $$(call LAMBDA__SAMBUILD,$(1))
	$$(if $$(LAMBDA__DRYRUN),,$$(info $$(lambda-sam $(1),$$(LAMBDA__SAMSTORE))))@:
endef
$(foreach i,$(LAMBDA__SAMIDS),$(eval $(call LAMBDA__SAM_RULE,$i)))
endif

# Leave the including Makefile's default goal as it was.
.DEFAULT_GOAL := $(LAMBDA__GOAL)
endif
