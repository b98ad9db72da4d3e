/*
 * The launcher's few system calls. A JNI library this small loads in about a millisecond, where
 * the JDK's unix-domain sockets start the security providers (tens of milliseconds) and jnr
 * generates its bindings (hundreds): the launcher's whole budget is a plain JVM's start-up.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "org_bosun_launcher_Native.h"

JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_connectUnix(JNIEnv *env, jclass cls, jstring path) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (strlen(p) >= sizeof addr.sun_path) {
        (*env)->ReleaseStringUTFChars(env, path, p);
        return -ENAMETOOLONG;
    }
    strcpy(addr.sun_path, p);
    (*env)->ReleaseStringUTFChars(env, path, p);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_read(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off, jint len) {
    jbyte *b = (*env)->GetByteArrayElements(env, buf, NULL);
    ssize_t n;
    do {
        n = read(fd, b + off, (size_t) len);
    } while (n < 0 && errno == EINTR);
    int err = errno;
    (*env)->ReleaseByteArrayElements(env, buf, b, 0);
    return n < 0 ? -err : (jint) n;
}

JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_write(JNIEnv *env, jclass cls, jint fd, jbyteArray buf, jint off, jint len) {
    jbyte *b = (*env)->GetByteArrayElements(env, buf, NULL);
    jint done = 0;
    while (done < len) {
        ssize_t n = write(fd, b + off + done, (size_t) (len - done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            (*env)->ReleaseByteArrayElements(env, buf, b, JNI_ABORT);
            return -err;
        }
        done += (jint) n;
    }
    (*env)->ReleaseByteArrayElements(env, buf, b, JNI_ABORT);
    return done;
}

JNIEXPORT void JNICALL Java_org_bosun_launcher_Native_close(JNIEnv *env, jclass cls, jint fd) {
    close(fd);
}

/* Opens a pod's lock file and takes it exclusively without waiting; the descriptor is inherited
 * across execve, so the pod stays locked exactly as long as its process lives. */
JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_lockExclusive(JNIEnv *env, jclass cls, jstring path) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    int fd = open(p, O_RDWR);
    int err = errno;
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (fd < 0) {
        return -err;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

static char **strings(JNIEnv *env, jobjectArray array) {
    jsize n = (*env)->GetArrayLength(env, array);
    char **result = calloc((size_t) n + 1, sizeof(char *));
    for (jsize i = 0; i < n; i++) {
        jstring s = (jstring) (*env)->GetObjectArrayElement(env, array, i);
        const char *c = (*env)->GetStringUTFChars(env, s, NULL);
        result[i] = strdup(c);
        (*env)->ReleaseStringUTFChars(env, s, c);
    }
    return result;
}

/* The lowest descriptor the kept one (the pod's lock) may have in the exec'd process. A shell
 * redirection names descriptors 0 to 9 only, and the pod's scripts use some of them for their own
 * pipes (the oci supervisor 3, 4, 8 and 9): a lock that happened to have one of those numbers was
 * dropped by the supervisor's first `exec 4<&0`, the pod then looked exited to everyone while its
 * apps ran, and a stop after a kill -9 of its supervisor and watcher left them running. Which
 * number open() hands out depends on how many files the JVM has open, which a class data sharing
 * archive changes (a client mapping bosun-client.jsa got 4, one without it 6). */
#define KEEP_FD_MIN 10

/* Replaces the process: every descriptor above 2 but keep_fd is closed on exec (the JVM's jars,
 * sockets and locks must not leak into the pod); keep_fd is moved to KEEP_FD_MIN or above first.
 * Returns -errno only if something failed. */
JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_exec(JNIEnv *env, jclass cls, jstring cwd, jobjectArray argv, jobjectArray envp, jint keep_fd) {
    const char *dir = (*env)->GetStringUTFChars(env, cwd, NULL);
    int rc = chdir(dir);
    int err = errno;
    (*env)->ReleaseStringUTFChars(env, cwd, dir);
    if (rc != 0) {
        return -err;
    }
    if (keep_fd >= 0 && keep_fd < KEEP_FD_MIN) {
        int high = fcntl(keep_fd, F_DUPFD, KEEP_FD_MIN);
        if (high < 0) {
            return -errno;
        }
        close(keep_fd);
        keep_fd = high;
    }
    char **args = strings(env, argv);
    char **vars = strings(env, envp);
    if (keep_fd > 3) {
        close_range(3, (unsigned) keep_fd - 1, CLOSE_RANGE_CLOEXEC);
    }
    if (keep_fd >= 3) {
        close_range((unsigned) keep_fd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
        int flags = fcntl(keep_fd, F_GETFD);
        fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC);
    } else {
        close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    }
    execve(args[0], args, vars);
    return -errno;
}

JNIEXPORT jstring JNICALL Java_org_bosun_launcher_Native_strerror(JNIEnv *env, jclass cls, jint errnum) {
    return (*env)->NewStringUTF(env, strerror(errnum));
}

/* Opens (creating it, mode 0600) a lock file and waits for an exclusive lock on it; closing the
 * descriptor releases it. The agent's start lock: two first commands start one agent. */
JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_lockWait(JNIEnv *env, jclass cls, jstring path) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    int err = errno;
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (fd < 0) {
        return -err;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            err = errno;
            close(fd);
            return -err;
        }
    }
    return fd;
}

/* Starts argv[0] detached: a double fork, so the process is never this one's child (nor the
 * child of the pod this process may become), in a session of its own, stdin /dev/null, stdout and
 * stderr to log (truncated), every other descriptor closed. Returns its pid, or -errno. Between
 * the forks and execve only async-signal-safe calls: the JVM has many threads. */
JNIEXPORT jint JNICALL Java_org_bosun_launcher_Native_spawnDetached(JNIEnv *env, jclass cls, jstring cwd, jobjectArray argv, jobjectArray envp, jstring log) {
    char **args = strings(env, argv);
    char **vars = strings(env, envp);
    const char *d = (*env)->GetStringUTFChars(env, cwd, NULL);
    char *dir = strdup(d);
    (*env)->ReleaseStringUTFChars(env, cwd, d);
    const char *l = (*env)->GetStringUTFChars(env, log, NULL);
    char *logPath = strdup(l);
    (*env)->ReleaseStringUTFChars(env, log, l);
    int result = 0;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        result = -errno;
        goto out;
    }
    pid_t child = fork();
    if (child < 0) {
        result = -errno;
        close(pipefd[0]);
        close(pipefd[1]);
        goto out;
    }
    if (child == 0) {
        /* the intermediate: a new session, then the agent's fork; it reports the pid (or -errno) and leaves */
        int status = 0;
        if (setsid() < 0) {
            status = -errno;
            (void) !write(pipefd[1], &status, sizeof status);
            _exit(1);
        }
        pid_t agent = fork();
        if (agent == 0) {
            int in = open("/dev/null", O_RDONLY);
            int out = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
            if (in < 0 || out < 0 || chdir(dir) != 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
                status = -errno;
                (void) !write(pipefd[1], &status, sizeof status);
                _exit(127);
            }
            close_range(3, ~0U, CLOSE_RANGE_CLOEXEC); /* the pipe is close-on-exec already */
            execve(args[0], args, vars);
            status = -errno;
            (void) !write(pipefd[1], &status, sizeof status);
            _exit(127);
        }
        status = agent < 0 ? -errno : agent;
        (void) !write(pipefd[1], &status, sizeof status);
        _exit(0);
    }
    close(pipefd[1]);
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    /* the intermediate's report (the pid), then, if the exec failed, the agent's -errno; EOF once it exec'd */
    int reported = 0, value;
    ssize_t n;
    while ((n = read(pipefd[0], &value, sizeof value)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (n == sizeof value && (reported == 0 || value < 0)) {
            reported = value;
        }
    }
    close(pipefd[0]);
    result = reported == 0 ? -ECHILD : reported;
out:
    free(dir);
    free(logPath);
    /* args and vars: a few strings once per agent start, left to the process */
    return result;
}
