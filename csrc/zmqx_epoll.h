/* SPDX-License-Identifier: BSD-3-Clause
 *
 * zmqx_epoll.h -- the readiness primitive under PollSet's O(ready) wait.
 *
 * On Linux: epoll.  Elsewhere ZMQX_HAVE_EPOLL is 0 and the stubs fail with
 * ENOSYS, so PollSet keeps waiting with zmq_poll there.  Events use the poll(2)
 * bit values (POLLIN/POLLOUT/POLLERR), which epoll shares on Linux.
 */
#ifndef ZMQX_EPOLL_H
#define ZMQX_EPOLL_H

#include <errno.h>

#if defined(__linux__)
#include <sys/epoll.h>
#include <unistd.h>
#define ZMQX_HAVE_EPOLL 1

typedef struct epoll_event zmqx_epoll_event;

static int zmqx_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

/* op: EPOLL_CTL_ADD / _MOD / _DEL; data: the PollSet entry's slot id. */
static int zmqx_epoll_ctl(int epfd, int op, int fd, unsigned events, unsigned long data)
{
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

static int zmqx_epoll_wait(int epfd, zmqx_epoll_event *events, int maxevents, int timeout)
{
    return epoll_wait(epfd, events, maxevents, timeout);
}

static unsigned long zmqx_epoll_data(const zmqx_epoll_event *ev) { return (unsigned long)ev->data.u64; }
static unsigned zmqx_epoll_events(const zmqx_epoll_event *ev) { return ev->events; }
static int zmqx_epoll_close(int epfd) { return close(epfd); }

#else
#define ZMQX_HAVE_EPOLL 0
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
typedef struct { unsigned events; unsigned long data; } zmqx_epoll_event;
static int zmqx_epoll_create(void) { errno = ENOSYS; return -1; }
static int zmqx_epoll_ctl(int epfd, int op, int fd, unsigned events, unsigned long data)
{ (void)epfd; (void)op; (void)fd; (void)events; (void)data; errno = ENOSYS; return -1; }
static int zmqx_epoll_wait(int epfd, zmqx_epoll_event *events, int maxevents, int timeout)
{ (void)epfd; (void)events; (void)maxevents; (void)timeout; errno = ENOSYS; return -1; }
static unsigned long zmqx_epoll_data(const zmqx_epoll_event *ev) { return ev->data; }
static unsigned zmqx_epoll_events(const zmqx_epoll_event *ev) { return ev->events; }
static int zmqx_epoll_close(int epfd) { (void)epfd; return 0; }
#endif

#endif /* ZMQX_EPOLL_H */
