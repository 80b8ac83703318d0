#ifndef CZMQ_SHIM_H
#define CZMQ_SHIM_H

/* libzmq for the control thread's ZeroMQ sockets. zmq.h imports into Swift as is;
   this header only gives SwiftPM a module to build. */
#include <zmq.h>

/* zmq_msg_t's size, so Swift can reserve one without knowing its layout. */
static const int CZMQ_MSG_SIZE = sizeof(zmq_msg_t);

#endif
