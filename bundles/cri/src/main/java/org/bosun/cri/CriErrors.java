package org.bosun.cri;

import org.bosun.api.BosunException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/** bosun's errors as gRPC statuses: each {@link org.bosun.api.ErrorKind} names its code, the message stays one line. */
final class CriErrors {
    private CriErrors() {
    }

    static StatusRuntimeException status(BosunException e) {
        return Status.fromCodeValue(e.kind().grpcCode()).withDescription(e.getMessage()).asRuntimeException();
    }

    /**
     * Runs one call: its answer, or its failure as the status of its kind. An unexpected exception is
     * INTERNAL with its message, so a client never waits for an answer that will not come.
     */
    static <T> void answer(StreamObserver<T> response, CallBody<T> body) {
        T result;
        try {
            result = body.call();
        } catch (BosunException e) {
            response.onError(status(e));
            return;
        } catch (RuntimeException e) {
            response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).withCause(e)
                    .asRuntimeException());
            return;
        }
        response.onNext(result);
        response.onCompleted();
    }

    @FunctionalInterface
    interface CallBody<T> {
        T call();
    }
}
