package org.bosun.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

/** Each error kind has its own exit code and the gRPC status code a gRPC server answers with. */
public class ErrorKindTest {

    @Test
    public void theExitCodesTheReadmePromisesStay() {
        assertEquals(2, ErrorKind.NOT_FOUND.exitCode());
        assertEquals(3, ErrorKind.ALREADY_EXISTS.exitCode());
        assertEquals(4, ErrorKind.INVALID_ARGUMENT.exitCode());
        assertEquals(5, ErrorKind.FAILED_PRECONDITION.exitCode());
        assertEquals(6, ErrorKind.UNAVAILABLE.exitCode());
        assertEquals(1, ErrorKind.INTERNAL.exitCode());
    }

    @Test
    public void theKindsForTheGrpcServersHaveTheirOwnExitCodes() {
        assertEquals(7, ErrorKind.PERMISSION_DENIED.exitCode());
        assertEquals(8, ErrorKind.NOT_IMPLEMENTED.exitCode());
        assertEquals(9, ErrorKind.DEADLINE_EXCEEDED.exitCode());
        assertEquals(10, ErrorKind.RESOURCE_EXHAUSTED.exitCode());
        assertEquals(11, ErrorKind.CANCELLED.exitCode());
    }

    @Test
    public void everyKindMapsToItsGrpcStatusCodeByNumberAndName() {
        // google.rpc.Code, as io.grpc.Status.Code numbers and names them
        Map<ErrorKind, String> expected = new LinkedHashMap<>();
        expected.put(ErrorKind.CANCELLED, "1 CANCELLED");
        expected.put(ErrorKind.INVALID_ARGUMENT, "3 INVALID_ARGUMENT");
        expected.put(ErrorKind.DEADLINE_EXCEEDED, "4 DEADLINE_EXCEEDED");
        expected.put(ErrorKind.NOT_FOUND, "5 NOT_FOUND");
        expected.put(ErrorKind.ALREADY_EXISTS, "6 ALREADY_EXISTS");
        expected.put(ErrorKind.PERMISSION_DENIED, "7 PERMISSION_DENIED");
        expected.put(ErrorKind.RESOURCE_EXHAUSTED, "8 RESOURCE_EXHAUSTED");
        expected.put(ErrorKind.FAILED_PRECONDITION, "9 FAILED_PRECONDITION");
        expected.put(ErrorKind.NOT_IMPLEMENTED, "12 UNIMPLEMENTED");
        expected.put(ErrorKind.INTERNAL, "13 INTERNAL");
        expected.put(ErrorKind.UNAVAILABLE, "14 UNAVAILABLE");
        assertEquals("every kind is mapped", Set.of(ErrorKind.values()), expected.keySet());
        for (Map.Entry<ErrorKind, String> e : expected.entrySet()) {
            assertEquals(e.getKey().name(), e.getValue(), e.getKey().grpcCode() + " " + e.getKey().grpcName());
        }
    }

    @Test
    public void noTwoKindsShareAnExitCodeOrAGrpcCodeAndNoneIsSuccess() {
        Set<Integer> exitCodes = new HashSet<>();
        Set<Integer> grpcCodes = new HashSet<>();
        for (ErrorKind kind : ErrorKind.values()) {
            assertNotEquals(kind + " exits non-zero", 0, kind.exitCode());
            assertNotEquals(kind + " is not gRPC OK", 0, kind.grpcCode());
            assertEquals(kind + " has its own exit code", true, exitCodes.add(kind.exitCode()));
            assertEquals(kind + " has its own gRPC code", true, grpcCodes.add(kind.grpcCode()));
        }
    }

    @Test
    public void theFactoriesMakeExceptionsOfTheirKind() {
        assertEquals(ErrorKind.PERMISSION_DENIED, BosunException.permissionDenied("x").kind());
        assertEquals(ErrorKind.NOT_IMPLEMENTED, BosunException.notImplemented("x").kind());
        assertEquals(ErrorKind.DEADLINE_EXCEEDED, BosunException.deadlineExceeded("x").kind());
        assertEquals(ErrorKind.RESOURCE_EXHAUSTED, BosunException.resourceExhausted("x").kind());
        assertEquals(ErrorKind.CANCELLED, BosunException.cancelled("x").kind());
        assertEquals("x", BosunException.cancelled("x").getMessage());
    }
}
