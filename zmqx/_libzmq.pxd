# SPDX-License-Identifier: BSD-3-Clause
"""Declarations of the libzmq 4.3 C API (zmq.h), C names verbatim.

One extern block, in the header's order, so ``grep zmq_msg_send`` lands here
and on the libzmq man page alike.  Nothing here checks errors: every return
value goes through ``_check_rc`` in ``_errors.pxi``.  Cython 3 treats extern
functions as ``noexcept``, which is what C functions are.
"""
from libc.stdint cimport int64_t, uint64_t, uint8_t

cdef extern from "zmqx_compat.h" nogil:
    # fd type of ZMQ_FD and zmq_pollitem_t (int on POSIX, SOCKET on Windows)
    ctypedef int zmq_fd_t

cdef extern from "zmq.h" nogil:
    # --- errors -----------------------------------------------------------
    enum: ZMQ_HAUSNUMERO
    enum: EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD
    enum: ENOTSUP, ENOTSOCK  # errno.h, or zmq.h where the OS lacks them
    int zmq_errno()
    const char *zmq_strerror(int errnum_)

    # --- version ----------------------------------------------------------
    enum: ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH
    void zmq_version(int *major_, int *minor_, int *patch_)

    # --- context ----------------------------------------------------------
    enum: ZMQ_IO_THREADS, ZMQ_MAX_SOCKETS, ZMQ_SOCKET_LIMIT, ZMQ_THREAD_PRIORITY
    enum: ZMQ_THREAD_SCHED_POLICY, ZMQ_MAX_MSGSZ, ZMQ_MSG_T_SIZE
    enum: ZMQ_THREAD_AFFINITY_CPU_ADD, ZMQ_THREAD_AFFINITY_CPU_REMOVE
    enum: ZMQ_THREAD_NAME_PREFIX, ZMQ_IPV6, ZMQ_BLOCKY
    void *zmq_ctx_new()
    int zmq_ctx_term(void *context_)
    int zmq_ctx_shutdown(void *context_)
    int zmq_ctx_set(void *context_, int option_, int optval_)
    int zmq_ctx_get(void *context_, int option_)

    # --- messages ---------------------------------------------------------
    ctypedef struct zmq_msg_t:
        pass
    ctypedef void zmq_free_fn(void *data_, void *hint_)
    int zmq_msg_init(zmq_msg_t *msg_)
    int zmq_msg_init_size(zmq_msg_t *msg_, size_t size_)
    int zmq_msg_init_data(zmq_msg_t *msg_, void *data_, size_t size_,
                          zmq_free_fn *ffn_, void *hint_)
    int zmq_msg_send(zmq_msg_t *msg_, void *s_, int flags_)
    int zmq_msg_recv(zmq_msg_t *msg_, void *s_, int flags_)
    int zmq_msg_close(zmq_msg_t *msg_)
    int zmq_msg_move(zmq_msg_t *dest_, zmq_msg_t *src_)
    int zmq_msg_copy(zmq_msg_t *dest_, zmq_msg_t *src_)
    void *zmq_msg_data(zmq_msg_t *msg_)
    size_t zmq_msg_size(const zmq_msg_t *msg_)
    int zmq_msg_more(const zmq_msg_t *msg_)
    int zmq_msg_get(const zmq_msg_t *msg_, int property_)
    int zmq_msg_set(zmq_msg_t *msg_, int property_, int optval_)
    const char *zmq_msg_gets(const zmq_msg_t *msg_, const char *property_)
    enum: ZMQ_MORE, ZMQ_SHARED

    # --- sockets ----------------------------------------------------------
    enum: ZMQ_PAIR, ZMQ_PUB, ZMQ_SUB, ZMQ_REQ, ZMQ_REP, ZMQ_DEALER, ZMQ_ROUTER
    enum: ZMQ_PULL, ZMQ_PUSH, ZMQ_XPUB, ZMQ_XSUB, ZMQ_STREAM
    enum: ZMQ_DONTWAIT, ZMQ_SNDMORE
    enum: ZMQ_TYPE, ZMQ_RCVMORE, ZMQ_FD, ZMQ_EVENTS, ZMQ_LINGER, ZMQ_RCVTIMEO
    enum: ZMQ_SNDTIMEO, ZMQ_LAST_ENDPOINT, ZMQ_SUBSCRIBE, ZMQ_UNSUBSCRIBE
    enum: ZMQ_SNDHWM, ZMQ_RCVHWM, ZMQ_ROUTING_ID
    enum: ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY, ZMQ_CURVE_SERVERKEY
    enum: ZMQ_EVENT_ALL
    void *zmq_socket(void *, int type_)
    int zmq_close(void *s_)
    int zmq_setsockopt(void *s_, int option_, const void *optval_, size_t optvallen_)
    int zmq_getsockopt(void *s_, int option_, void *optval_, size_t *optvallen_)
    int zmq_bind(void *s_, const char *addr_)
    int zmq_connect(void *s_, const char *addr_)
    int zmq_unbind(void *s_, const char *addr_)
    int zmq_disconnect(void *s_, const char *addr_)
    int zmq_send(void *s_, const void *buf_, size_t len_, int flags_)
    int zmq_send_const(void *s_, const void *buf_, size_t len_, int flags_)
    int zmq_recv(void *s_, void *buf_, size_t len_, int flags_)
    int zmq_socket_monitor(void *s_, const char *addr_, int events_)

    # --- polling ----------------------------------------------------------
    enum: ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_POLLERR, ZMQ_POLLPRI
    ctypedef struct zmq_pollitem_t:
        void *socket
        zmq_fd_t fd
        short events
        short revents
    int zmq_poll(zmq_pollitem_t *items_, int nitems_, long timeout_)

    # --- proxies ----------------------------------------------------------
    int zmq_proxy(void *frontend_, void *backend_, void *capture_)
    int zmq_proxy_steerable(void *frontend_, void *backend_, void *capture_,
                            void *control_)

    # --- capabilities, security helpers -----------------------------------
    int zmq_has(const char *capability_)
    char *zmq_z85_encode(char *dest_, const uint8_t *data_, size_t size_)
    uint8_t *zmq_z85_decode(uint8_t *dest_, const char *string_)
    int zmq_curve_keypair(char *z85_public_key_, char *z85_secret_key_)
    int zmq_curve_public(char *z85_public_key_, const char *z85_secret_key_)

