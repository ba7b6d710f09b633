// Only the re-entrant (_r) API: the thread-unsafe functions do not even compile.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
