package io.vmplane.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import reactor.core.publisher.Mono;

/**
 * A Lua script shipped as a class-path resource beside this class. It runs with {@code EVALSHA}; when the server
 * does not know the script yet (first use, restart, {@code SCRIPT FLUSH}) it falls back to {@code EVAL}, which also
 * caches it for the next call. Each script runs atomically on the server: that is what makes a check-and-set of
 * several keys safe against concurrent callers.
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String sha1;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha1 = sha1Hex(source);
    }

    /** Loads {@code <name>.lua} from this package's resources. */
    static LuaScript load(String name) {
        String resource = name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Lua script " + resource + " is missing from the class path");
            }
            return new LuaScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua script " + resource, e);
        }
    }

    String name() {
        return name;
    }

    String sha1() {
        return sha1;
    }

    /**
     * Runs the script; nothing is sent before subscription. The result is emitted on a Lettuce I/O thread; a null
     * reply completes empty.
     */
    <T> Mono<T> run(RedisAsyncCommands<String, String> redis, ScriptOutputType type, String[] keys, String... args) {
        return Mono.<T>fromCompletionStage(() -> redis.evalsha(sha1, type, keys, args))
                .onErrorResume(LuaScript::isNoScript,
                        e -> Mono.<T>fromCompletionStage(() -> redis.eval(source, type, keys, args)));
    }

    private static boolean isNoScript(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof RedisNoScriptException
                    || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
                return true;
            }
        }
        return false;
    }

    static String sha1Hex(String text) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(sha1.digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }
}
