/* mhash: placeholder until written */
#include "mhash.h"
extern int lambda_placeholder_mhash;
