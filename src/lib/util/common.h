/* Included first by every library source file: the util toolbox and the banned list. */
#ifndef LD_COMMON_H
#define LD_COMMON_H

/* System headers come before banned.h (it redefines names they declare); a source file that
 * needs other system headers includes them before this file. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "lading/common.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/mathx.h"
#include "util/slice.h"

#ifndef LADING_VERSION
#define LADING_VERSION "0.1.0"
#endif

#define LD_INTERNAL __attribute__((visibility("hidden")))

#include "util/banned.h"

#endif
