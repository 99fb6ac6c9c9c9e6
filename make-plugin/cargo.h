#ifndef LAMBDA_CARGO_H
#define LAMBDA_CARGO_H
#endif
