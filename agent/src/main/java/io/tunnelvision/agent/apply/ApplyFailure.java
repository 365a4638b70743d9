package io.tunnelvision.agent.apply;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reading or changing a setting failed after every check passed: the kernel (or ethtool) said no. Published as
 * FAILED with the errno name, so the planner learns for example that the device's MTU limit is lower than the
 * configured bound (EINVAL) or that a mask had a word too many (EOVERFLOW).
 */
public final class ApplyFailure extends Exception {

    /**
     * strerror() texts as the JDK reports them, back to the errno names the kernel documentation and operators
     * use.
     */
    private static final Map<String, String> ERRNO = Map.ofEntries(
            Map.entry("Invalid argument", "EINVAL"),
            Map.entry("Value too large for defined data type", "EOVERFLOW"),
            Map.entry("Numerical result out of range", "ERANGE"),
            Map.entry("Input/output error", "EIO"),
            Map.entry("Operation not permitted", "EPERM"),
            Map.entry("Permission denied", "EACCES"),
            Map.entry("Device or resource busy", "EBUSY"),
            Map.entry("No such file or directory", "ENOENT"),
            Map.entry("No such device", "ENODEV"),
            Map.entry("Operation not supported", "EOPNOTSUPP"),
            Map.entry("Read-only file system", "EROFS"),
            Map.entry("Too many levels of symbolic links", "ELOOP"),
            // what the JDK says when an O_NOFOLLOW open meets a symlink, as KernelFiles' writes do
            Map.entry("Too many levels of symbolic links (NOFOLLOW_LINKS specified)", "ELOOP"),
            Map.entry("Cannot allocate memory", "ENOMEM"),
            Map.entry("No space left on device", "ENOSPC"));

    private final String errno;

    ApplyFailure(String operation, Object where, String errno, String detail) {
        super(operation + " " + where + " failed: " + errno + (detail.isEmpty() ? "" : " (" + detail + ")"),
                null, false, false);
        this.errno = errno;
    }

    private ApplyFailure(String message, String errno) {
        super(message, null, false, false);
        this.errno = errno;
    }

    /** The same failure, its message between {@code before} and {@code after}: which part of a set, what was undone. */
    ApplyFailure within(String before, String after) {
        return new ApplyFailure(before + getMessage() + after, errno);
    }

    static ApplyFailure of(String operation, Path file, IOException e) {
        String errno;
        String detail = "";
        if (e instanceof NoSuchFileException) {
            errno = "ENOENT";
        } else if (e instanceof AccessDeniedException) {
            errno = "EACCES";
        } else {
            String reason = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                    : e.getMessage() == null ? e.toString() : e.getMessage();
            errno = ERRNO.getOrDefault(reason, "error");
            detail = ERRNO.containsKey(reason) ? "" : reason;
        }
        switch (errno) {
            case "EACCES" -> detail = "the agent may not open it: as a non-root user, sysfs and /proc/irq files "
                    + "need CAP_DAC_OVERRIDE and /proc/sys/net needs CAP_NET_ADMIN";
            case "EPERM" -> detail = "the kernel wants CAP_NET_ADMIN for this setting";
            case "EROFS" -> detail = "mounted read-only here: see ReadWritePaths= in the systemd unit";
            default -> {
            }
        }
        return new ApplyFailure(operation, file, errno, detail);
    }

    public String errno() {
        return errno;
    }
}
