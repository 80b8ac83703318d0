/* Nothing to define: the module exists for its header and its link to libzmq. */
#include "CZmq.h"
