#ifndef CLIBURING_H
#define CLIBURING_H

/* Settle glibc's feature macros the same way SwiftGlibc does before liburing.h
   defines its own; otherwise fd_set is defined twice for the importer. */
#include <features.h>
#include <liburing.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* IOSQE_* are built from enum operands and do not import into Swift. */
static const unsigned char CLU_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;
static const unsigned char CLU_IOSQE_IO_LINK = IOSQE_IO_LINK;
static const unsigned char CLU_IOSQE_BUFFER_SELECT = IOSQE_BUFFER_SELECT;
static const unsigned char CLU_IOSQE_CQE_SKIP_SUCCESS = IOSQE_CQE_SKIP_SUCCESS;

/* GNU-only libc calls are invisible to Swift; shim.c defines _GNU_SOURCE. */
int clu_pin_current_thread(int cpu);
int clu_set_thread_name(const char *name);
int clu_cpu_count(void);

/* Signals as a file descriptor the control loop reads through its ring. */
int clu_block_signals(const int *signals, int count);
int clu_signalfd(const int *signals, int count);

#endif
