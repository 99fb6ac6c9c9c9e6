#ifndef LAMBDA_TOML_H
#define LAMBDA_TOML_H
#endif
