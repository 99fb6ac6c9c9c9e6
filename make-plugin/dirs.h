/* dirs.h: the directories lambda-make writes inside a project, named once. */
#ifndef LAMBDA_DIRS_H
#define LAMBDA_DIRS_H

/* lambda-make's own files (its .gitignore is "*"; no walk enters it) */
#define DIRS_OWN ".lambda"
/* the build context (ctx.h) */
#define DIRS_CTX DIRS_OWN "/ctx"
/* what the dev container runs a function with (lambda-runtime-api.py) */
#define DIRS_BIN DIRS_OWN "/bin"
/* the runtime stage's output, one dir per arch */
#define DIRS_OUT DIRS_OWN "/out"
/* one stamp per stage and arch (step.h) */
#define DIRS_STAMPS DIRS_OWN "/state"
/* the cache registry's push queue */
#define DIRS_PUSH DIRS_OWN "/push"
/* lambda-prod's packages, one dir per arch */
#define DIRS_PKG "target/lambda"
/* lambda-dev's bootstraps, one dir per arch */
#define DIRS_DEV "target/lambda-dev"

#endif
