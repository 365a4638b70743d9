package io.tunnelvision.agent.apply;

/** Where one setting of one target lives and how to read and change it. */
interface SettingAccess {

    /** For results and the audit log: a path, or the ethtool command line. */
    String where();

    /**
     * Whether the device can take {@code wanted} at all, checked before the current value is compared or anything
     * is written: a ring above the device's pre-set maximum, a root qdisc a rollback could not re-create. Reads
     * only. A plain file has no such limit to ask for.
     *
     * @throws Refusal      the command cannot apply to this device (published REJECTED, nothing touched)
     * @throws ApplyFailure the device could not be asked
     */
    default void admit(String wanted) throws Refusal, ApplyFailure {
    }

    /** The kernel's current value, trimmed. */
    String read() throws ApplyFailure;

    void write(String value) throws ApplyFailure;

    /** A one-value file of sysfs or procfs. */
    record File(java.nio.file.Path path) implements SettingAccess {
        @Override
        public String where() {
            return path.toString();
        }

        @Override
        public String read() throws ApplyFailure {
            return KernelFiles.read(path);
        }

        @Override
        public void write(String value) throws ApplyFailure {
            KernelFiles.write(path, value);
        }
    }
}
