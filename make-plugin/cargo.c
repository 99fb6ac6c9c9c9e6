/* cargo: placeholder until written */
#include "cargo.h"
extern int lambda_placeholder_cargo;
