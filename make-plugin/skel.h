#ifndef LAMBDA_SKEL_H
#define LAMBDA_SKEL_H
#endif
