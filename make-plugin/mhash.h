#ifndef LAMBDA_MHASH_H
#define LAMBDA_MHASH_H
#endif
