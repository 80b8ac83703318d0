#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include "CLibUring.h"

int clu_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int clu_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int clu_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static void clu_fill_set(sigset_t *set, const int *signals, int count) {
    sigemptyset(set);
    for (int i = 0; i < count; i++) sigaddset(set, signals[i]);
}

int clu_block_signals(const int *signals, int count) {
    sigset_t set;
    clu_fill_set(&set, signals, count);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int clu_signalfd(const int *signals, int count) {
    sigset_t set;
    clu_fill_set(&set, signals, count);
    return signalfd(-1, &set, SFD_CLOEXEC);
}
