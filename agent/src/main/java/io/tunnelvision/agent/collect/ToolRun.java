package io.tunnelvision.agent.collect;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a tool the kernel's state can only be read with ({@code wg}), as an argument list (no shell), with
 * standard input from {@code /dev/null}, standard error discarded and a 2 s timeout.
 *
 * <p>The output is read from the pipe into memory and never written anywhere: {@code wg show all dump} prints
 * the interfaces' private keys, which must not reach a file. Reading while the tool runs also keeps a large
 * output from filling the pipe; a watchdog kills the tool when the time is up, which ends the read.
 */
public final class ToolRun {

    private static final long TIMEOUT_MS = 2_000;
    /** More than any gateway's peers print (a peer line is under 300 bytes): 10,000s of peers. */
    private static final int MAX_BYTES = 16 << 20;

    private ToolRun() {
    }

    /**
     * The command's output, or null if it cannot be run (not installed), fails (exits with another status than 0),
     * takes longer than 2 s or prints more than 16 MiB.
     */
    public static String run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null; // not installed
        }
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(process::destroyForcibly,
                CompletableFuture.delayedExecutor(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        try (InputStream in = process.getInputStream()) {
            byte[] out = in.readNBytes(MAX_BYTES);
            boolean whole = in.read() < 0;
            if (!process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return whole && !watchdog.isDone() && process.exitValue() == 0
                    ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            process.destroyForcibly();
            return null;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return null;
        } finally {
            watchdog.cancel(false);
        }
    }
}
