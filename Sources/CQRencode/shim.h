#ifndef CHORUS_CQRENCODE_SHIM_H
#define CHORUS_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
