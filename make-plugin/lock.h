/* lock.h: the project lock, one build of a project at a time. */
#ifndef LAMBDA_LOCK_H
#define LAMBDA_LOCK_H

/* Open (creating) the lock file PATH and try to lock it exclusively without
 * waiting. Returns the fd (locked, or not when *busy is set: another process
 * holds it; lock_wait then waits), or -1. The fd is inherited by child
 * processes on purpose: the commands of a make that was killed keep the lock
 * until they end, so the next build never runs beside them. */
int lock_open(const char *path, int *busy);
/* Wait for the lock on an fd from lock_open; 0, or -1. */
int lock_wait(int fd);
/* 1 if fd is open on the very file PATH names (a lock a parent make holds and
 * passed down), 0 if not. */
int lock_same(int fd, const char *path);

#endif
