// intake-reader: the document reader service as a program of its own, which
// intake starts with the service's control socket as descriptor 3
// (docs::ReaderService). Its image holds the document libraries alone, so the
// child it forks for each message copies and tears down half the mappings that a
// fork of intake would.
#include <sys/socket.h>

#include <cstdio>

#include "docs/docs.h"

int main() {
    int type = 0;
    socklen_t length = sizeof type;
    if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_SEQPACKET) {
        std::fputs(
            "intake-reader: intake starts this program to read documents; it is not run "
            "by hand\n",
            stderr);
        return 2;
    }
    intake::docs::serve_reader_jobs(3);
}
