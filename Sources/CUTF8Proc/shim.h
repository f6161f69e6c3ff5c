#ifndef PARLEY_CUTF8PROC_SHIM_H
#define PARLEY_CUTF8PROC_SHIM_H
#include <utf8proc.h>
#endif
