/* log.c - not written yet */
#include "config.h"
