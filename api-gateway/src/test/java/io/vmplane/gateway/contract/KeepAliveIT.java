package io.vmplane.gateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.vmplane.schemas.vm.VmIds;
import org.junit.jupiter.api.Test;

/**
 * One HTTP/1.1 keep-alive connection carries many requests in a row. The life-cycle calls are answered after a
 * Redis round trip on another thread, so the client's next request can arrive before the server has finished the
 * previous exchange; Reactor Netty 1.3.6 then buffered it and, once drained, stopped reading the connection, and the
 * request was dispatched only when the client gave up and closed (seen as rare 15 s client time-outs).
 * Bodyless POSTs with {@code Content-Length: 0}, POSTs with a body and DELETEs without either, as clients send them.
 */
class KeepAliveIT extends RunningGateway {

    private static final int ROUNDS = 150;

    @Test
    void shouldAnswerEveryRequestOfALongKeepAliveConnectionInTurn() throws IOException {
        String bearer = TOKENS.user("carol", "keepalive-" + UUID.randomUUID());
        String vm = VMS + "/" + VmIds.newVmId();
        List<String> requests = List.of(
                request("POST", vm + "/start", bearer, "Content-Length: 0\r\n", ""),
                request("POST", vm + "/stop", bearer, "Content-Type: application/json\r\nContent-Length: 15\r\n",
                        "{\"force\": true}"),
                request("POST", vm + "/reboot", bearer, "Idempotency-Key: k-1\r\nContent-Length: 0\r\n", ""),
                request("DELETE", vm, bearer, "", ""),
                request("DELETE", vm + "?delete_volumes=true", bearer, "", ""));
        List<Integer> statuses = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            // a generous bound: a healthy answer takes milliseconds, a stalled one never comes
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int round = 0; round < ROUNDS; round++) {
                for (String request : requests) {
                    out.write(request.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    try {
                        statuses.add(readResponseStatus(in));
                    }
                    catch (SocketTimeoutException e) {
                        throw new AssertionError("no answer to request " + (statuses.size() + 1) + " ("
                                + request.lines().findFirst().orElseThrow() + ") on a keep-alive connection", e);
                    }
                }
            }
        }
        // Then every request was answered, each as the unknown VM it names
        assertThat(statuses).hasSize(ROUNDS * requests.size()).containsOnly(404);
    }

    private String request(String method, String path, String bearer, String headers, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + bearer
                + "\r\n" + headers + "\r\n" + body;
    }

    /** Reads one response (head and a Content-Length body) and returns its status code. */
    private static int readResponseStatus(InputStream in) throws IOException {
        String head = readHead(in);
        int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertThat(head.toLowerCase(Locale.ROOT)).as(head).doesNotContain("transfer-encoding: chunked")
                .doesNotContain("connection: close");
        if (in.readNBytes(length).length != length) {
            throw new IOException("connection closed inside a response body");
        }
        return status;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of a response head");
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
