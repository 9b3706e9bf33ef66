/* SPDX-License-Identifier: BSD-3-Clause
 *
 * zmqx_compat.h -- what zmq.h lacks on some libzmq builds or platforms.
 *
 * Fallback values for constants newer than the oldest supported libzmq (4.3.0)
 * and the fd type used by ZMQ_FD / zmq_pollitem_t.
 */
#ifndef ZMQX_COMPAT_H
#define ZMQX_COMPAT_H

#include <zmq.h>

#if defined(_WIN32)
#include <winsock2.h>
typedef SOCKET zmqx_fd_t;
#else
typedef int zmqx_fd_t;
#endif
#define zmq_fd_t zmqx_fd_t

#ifndef ZMQ_MSG_T_SIZE
#define ZMQ_MSG_T_SIZE 6
#endif
#ifndef ZMQ_THREAD_AFFINITY_CPU_ADD
#define ZMQ_THREAD_AFFINITY_CPU_ADD 7
#define ZMQ_THREAD_AFFINITY_CPU_REMOVE 8
#endif
#ifndef ZMQ_THREAD_NAME_PREFIX
#define ZMQ_THREAD_NAME_PREFIX 9
#endif

#ifndef ZMQX_DEBUG
#define ZMQX_DEBUG 0
#endif

/* Live-object counters of the debug build (ZMQX_DEBUG=1), read by the tests
 * through zmqx._zmq._debug_counters(); compiled out otherwise. */
enum { ZMQX_DBG_FRAMES, ZMQX_DBG_SOCKETS, ZMQX_DBG_CONTEXTS, ZMQX_DBG_N };
static long zmqx_dbg_count[ZMQX_DBG_N];
#if ZMQX_DEBUG
#define ZMQX_DBG_ADD(i, d) (zmqx_dbg_count[(i)] += (d))
#else
#define ZMQX_DBG_ADD(i, d) ((void)0)
#endif

/* Terminate a context without blocking the caller: used when a Context is
 * garbage-collected, where zmq_ctx_term() could wait forever on LINGER. The
 * thread never touches Python. */
#if defined(_WIN32)
#include <windows.h>
static DWORD WINAPI zmqx_term_thread(LPVOID ctx) { zmq_ctx_term(ctx); return 0; }
static int zmqx_term_async(void *ctx)
{
    HANDLE t = CreateThread(NULL, 0, zmqx_term_thread, ctx, 0, NULL);
    if (t == NULL) return -1;
    CloseHandle(t);
    return 0;
}
#define zmqx_getpid() ((int)GetCurrentProcessId())
#else
#include <pthread.h>
#include <unistd.h>
static void *zmqx_term_thread(void *ctx) { zmq_ctx_term(ctx); return NULL; }
static int zmqx_term_async(void *ctx)
{
    pthread_t t;
    pthread_attr_t attr;
    int rc;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&t, &attr, zmqx_term_thread, ctx);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}
#define zmqx_getpid() ((int)getpid())
#endif

#endif /* ZMQX_COMPAT_H */
