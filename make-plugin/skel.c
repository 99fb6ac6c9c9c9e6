/* skel: placeholder until written */
#include "skel.h"
extern int lambda_placeholder_skel;
