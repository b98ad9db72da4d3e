/*
 * bosun's security tests: tries one privileged action from inside an app and prints "ok" or
 * "errno=NAME". Each action is chosen to do no harm when it is permitted: it either fails on a bad
 * argument after the permission checks (reboot, kexec_load, init_module, umount of a non-mount
 * point), or changes only the app itself (a read-only tmpfs on /mnt, a seized but never stopped
 * tracee, a session keyring id, a raw socket that is closed at exit, a user namespace of its own).
 * "dev-T-MAJOR-MINOR" makes a device node in /tmp (mknod) and opens it, without reading or
 * writing: "ok" when the open is allowed, "errno=NAME" when it is refused, "mknod:errno=NAME"
 * when the node could not even be made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <linux/keyctl.h>

static int report(const char *action, long rc) {
    if (rc < 0) {
        printf("%s errno=%s\n", action, strerrorname_np(errno));
        return 1;
    }
    printf("%s ok\n", action);
    return 0;
}

static int device(const char *a) {
    char type;
    unsigned major, minor;
    char path[64];
    if (sscanf(a, "dev-%c-%u-%u", &type, &major, &minor) != 3 || (type != 'b' && type != 'c')) {
        fprintf(stderr, "escape: not a device action: %s\n", a);
        return 2;
    }
    snprintf(path, sizeof path, "/tmp/escape-%c-%u-%u", type, major, minor);
    unlink(path);
    if (mknod(path, (type == 'b' ? S_IFBLK : S_IFCHR) | 0600, makedev(major, minor)) < 0) {
        printf("%s mknod:errno=%s\n", a, strerrorname_np(errno));
        return 1;
    }
    int fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY);
    int saved = errno;
    unlink(path);
    if (fd >= 0) {
        close(fd);
    }
    errno = saved;
    return report(a, fd);
}

static int try(const char *a) {
    if (!strncmp(a, "dev-", 4)) return device(a);
    if (!strcmp(a, "userns")) return report(a, unshare(CLONE_NEWUSER));
    if (!strcmp(a, "mount")) return report(a, mount("none", "/mnt", "tmpfs", MS_RDONLY, NULL));
    if (!strcmp(a, "umount")) return report(a, umount2("/bin", 0));
    if (!strcmp(a, "reboot")) return report(a, syscall(SYS_reboot, 0, 0, 0, NULL));
    if (!strcmp(a, "init_module")) return report(a, syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(a, "kexec_load")) return report(a, syscall(SYS_kexec_load, 0, 0, NULL, 0x00ff0000UL));
    if (!strcmp(a, "ptrace")) return report(a, ptrace(PTRACE_SEIZE, 1, NULL, NULL));
    if (!strcmp(a, "keyctl")) return report(a, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
    if (!strcmp(a, "raw-socket")) return report(a, socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    if (!strcmp(a, "euid")) {
        printf("euid=%d\n", (int) geteuid());
        return 0;
    }
    fprintf(stderr, "escape: unknown action %s\n", a);
    return 2;
}

int main(int argc, char **argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        failed |= try(argv[i]) == 2;
    }
    return failed ? 2 : 0;
}
