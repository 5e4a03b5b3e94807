#ifndef CHORUS_CLIBPQ_SHIM_H
#define CHORUS_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
