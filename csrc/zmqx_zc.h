/* SPDX-License-Identifier: BSD-3-Clause
 *
 * zmqx_zc.h -- zero-copy sends: keep Python buffers alive while libzmq uses them.
 *
 * send(obj, copy=False) pins obj with PyObject_GetBuffer and hands its memory to
 * zmq_msg_init_data() together with a zmqx_zc node as the hint.  libzmq calls
 * zmqx_zc_free() when the last copy of the message is closed, usually on one of
 * its I/O threads, which must never take the GIL.  So zmqx_zc_free() only:
 *
 *   1. decrements the node's tracker counter (MessageTracker.done reads it),
 *   2. pushes the node on a lock-free LIFO (one CAS), and
 *   3. if the LIFO was not already scheduled for draining, asks the interpreter
 *      to run zmqx_zc_drain() on the main thread via Py_AddPendingCall(), which
 *      CPython documents as callable without the GIL or a thread state.
 *
 * zmqx_zc_drain() runs with the GIL -- from that pending call, and also from
 * Python on every zero-copy send and on MessageTracker/close/term paths -- takes
 * the whole LIFO with one atomic exchange (so there is no ABA problem), and
 * releases each buffer and tracker.  No helper thread, no per-message wake-up.
 *
 * Interpreter exit: zmqx_zc_finalize() (atexit) stops further Py_AddPendingCall()
 * and waits for any call already in flight; nodes freed after that are leaked on
 * purpose -- the objects they pin may already be gone.
 */
#ifndef ZMQX_ZC_H
#define ZMQX_ZC_H

#include <Python.h>
#include <stdlib.h>

#if defined(_MSC_VER)
#include <windows.h>
#define zmqx_atomic_add(p, v) InterlockedExchangeAdd((volatile LONG *)(p), (v))
#define zmqx_atomic_load(p) InterlockedOr((volatile LONG *)(p), 0)
#define zmqx_atomic_xchg(p, v) InterlockedExchange((volatile LONG *)(p), (v))
#define zmqx_atomic_xchg_ptr(p, v) InterlockedExchangePointer((PVOID volatile *)(p), (v))
#define zmqx_atomic_cas_ptr(p, expected, v) \
    (InterlockedCompareExchangePointer((PVOID volatile *)(p), (v), (expected)) == (expected))
#define zmqx_atomic_load_ptr(p) InterlockedCompareExchangePointer((PVOID volatile *)(p), NULL, NULL)
#define zmqx_yield() SwitchToThread()
#else
#include <sched.h>
#define zmqx_atomic_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define zmqx_atomic_load(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define zmqx_atomic_xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define zmqx_atomic_xchg_ptr(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define zmqx_atomic_cas_ptr(p, expected, v) \
    __atomic_compare_exchange_n((p), &(expected), (v), 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define zmqx_atomic_load_ptr(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define zmqx_yield() sched_yield()
#endif

typedef struct zmqx_zc {
    struct zmqx_zc *next;
    Py_buffer view;    /* pins the exporter; released with the GIL in drain */
    PyObject *tracker; /* owned reference to a MessageTracker, or NULL */
    int *pending;      /* the tracker's counter of frames libzmq still holds */
} zmqx_zc;

static zmqx_zc *zmqx_zc_freed = NULL; /* LIFO of nodes libzmq has finished with */
static int zmqx_zc_scheduled = 0;     /* a pending call to drain is queued */
static int zmqx_zc_inflight = 0;      /* zmqx_zc_free() calls inside the schedule step */
static int zmqx_zc_finalizing = 0;    /* set at interpreter exit */
static Py_ssize_t zmqx_zc_live = 0;   /* nodes created and not yet released */

static Py_ssize_t zmqx_zc_drain(void);

static int zmqx_zc_pending_cb(void *arg)
{
    (void)arg;
    zmqx_zc_drain();
    return 0;
}

/* zmq_free_fn: any thread, no GIL, never touches a Python object. */
static void zmqx_zc_free(void *data, void *hint)
{
    zmqx_zc *node = (zmqx_zc *)hint;
    zmqx_zc *head;
    (void)data;
    if (node->pending != NULL)
        zmqx_atomic_add(node->pending, -1);
    head = (zmqx_zc *)zmqx_atomic_load_ptr(&zmqx_zc_freed);
    do {
        node->next = head;
    } while (!zmqx_atomic_cas_ptr(&zmqx_zc_freed, head, node));

    zmqx_atomic_add(&zmqx_zc_inflight, 1);
    if (!zmqx_atomic_load(&zmqx_zc_finalizing) && zmqx_atomic_xchg(&zmqx_zc_scheduled, 1) == 0) {
        if (Py_AddPendingCall(zmqx_zc_pending_cb, NULL) != 0)
            zmqx_atomic_xchg(&zmqx_zc_scheduled, 0); /* queue full: the next send drains */
    }
    zmqx_atomic_add(&zmqx_zc_inflight, -1);
}

/* With the GIL: pin obj's buffer in a new node.  NULL with an exception set on failure. */
static zmqx_zc *zmqx_zc_new(PyObject *obj, PyObject *tracker, int *pending)
{
    zmqx_zc *node = (zmqx_zc *)PyMem_RawMalloc(sizeof(zmqx_zc));
    if (node == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (PyObject_GetBuffer(obj, &node->view, PyBUF_SIMPLE) < 0) {
        PyMem_RawFree(node);
        return NULL;
    }
    node->next = NULL;
    node->pending = pending;
    node->tracker = tracker;
    Py_XINCREF(tracker);
    if (pending != NULL)
        zmqx_atomic_add(pending, 1);
    zmqx_zc_live++;
    return node;
}

/* With the GIL: undo zmqx_zc_new() for a node libzmq never took. */
static void zmqx_zc_discard(zmqx_zc *node)
{
    if (node->pending != NULL)
        zmqx_atomic_add(node->pending, -1);
    PyBuffer_Release(&node->view);
    Py_XDECREF(node->tracker);
    PyMem_RawFree(node);
    zmqx_zc_live--;
}

/* With the GIL: release every node libzmq has freed.  Returns how many. */
static Py_ssize_t zmqx_zc_drain(void)
{
    Py_ssize_t n = 0;
    zmqx_zc *node, *next;
    zmqx_atomic_xchg(&zmqx_zc_scheduled, 0); /* before the exchange: see zmqx_zc_free */
    if (zmqx_atomic_load_ptr(&zmqx_zc_freed) == NULL)
        return 0;
    node = (zmqx_zc *)zmqx_atomic_xchg_ptr(&zmqx_zc_freed, NULL);
    for (; node != NULL; node = next, n++) {
        next = node->next;
        node->pending = NULL; /* already counted down in zmqx_zc_free */
        zmqx_zc_discard(node);
    }
    return n;
}

/* At interpreter exit, with the GIL: no pending call may be queued after this. */
static void zmqx_zc_finalize(void)
{
    zmqx_atomic_xchg(&zmqx_zc_finalizing, 1);
    while (zmqx_atomic_load(&zmqx_zc_inflight) != 0)
        zmqx_yield();
    zmqx_zc_drain();
}

#endif /* ZMQX_ZC_H */
