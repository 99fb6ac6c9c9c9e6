/* toml: placeholder until written */
#include "toml.h"
extern int lambda_placeholder_toml;
