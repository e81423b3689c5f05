# The libFuzzer build: every target under tests/fuzz/ against the project's
# sources compiled with clang (not the gcc-built libgp2adb.a), in its own
# directory.  Run through tools/fuzz:
#   make -f $(top)/tests/fuzz/fuzz.mk -C build/fuzz top=$(top)
top ?= ../..
CC := clang
PKGS := libpq libssh2 libconfig libcrypto
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS := -std=c11 -g -O1 -Wall -Wextra -D_GNU_SOURCE -pthread $(SAN) \
	-I$(top)/src -I$(top)/tests/fuzz $(shell pkg-config --cflags $(PKGS))
LIBS := $(shell pkg-config --libs $(PKGS)) -lm -pthread

# All of src/ but main(); the linker takes from the archive what each target needs.
SRCS := $(filter-out $(top)/src/main.c,$(wildcard $(top)/src/*.c))
OBJS := $(patsubst $(top)/src/%.c,obj/%.o,$(SRCS))
TARGETS := $(patsubst $(top)/tests/fuzz/%.c,%,$(wildcard $(top)/tests/fuzz/fuzz_*.c))

all: $(TARGETS)

obj/%.o: $(top)/src/%.c
	@mkdir -p obj
	$(CC) $(CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

libgp2adb-fuzz.a: $(OBJS)
	rm -f $@
	ar rcs $@ $(OBJS)

fuzz_%.o: $(top)/tests/fuzz/fuzz_%.c
	$(CC) $(CFLAGS) -Werror -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

fuzz_%: fuzz_%.o libgp2adb-fuzz.a
	$(CC) $(SAN) -fsanitize=fuzzer $< libgp2adb-fuzz.a $(LIBS) -o $@

.PHONY: all
.SECONDARY:
-include $(OBJS:.o=.d) $(TARGETS:=.d)
