package org.bosun.grpc;

import java.util.function.Supplier;

import org.bosun.api.BosunException;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/**
 * bosun's errors as gRPC statuses, for every gRPC service bosun serves (the CRI, the rkt API service):
 * each {@link org.bosun.api.ErrorKind} names its code, the message stays one line.
 */
public final class GrpcErrors {
    private GrpcErrors() {
    }

    /** The status of the error's kind, with its message. */
    public static StatusRuntimeException status(BosunException e) {
        return Status.fromCodeValue(e.kind().grpcCode()).withDescription(e.getMessage()).asRuntimeException();
    }

    /**
     * Runs one unary call: its answer, or its failure as the status of its kind. An unexpected
     * exception is INTERNAL with its message, so a client never waits for an answer that will not come.
     */
    public static <T> void answer(StreamObserver<T> response, Supplier<T> body) {
        T result;
        try {
            result = body.get();
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
}
